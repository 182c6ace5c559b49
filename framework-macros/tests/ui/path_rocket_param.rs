use framework::get;

#[get("/users/<id>")]
fn show() -> &'static str {
    "ok"
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
