use framework::get;

#[get("/:id")]
fn show<T: std::str::FromStr>(id: T) {
    let _ = id;
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
