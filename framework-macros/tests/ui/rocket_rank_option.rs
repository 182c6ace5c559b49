use framework::get;

#[get("/users/:id", rank = 2)]
fn show(id: u64) -> String {
    id.to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
