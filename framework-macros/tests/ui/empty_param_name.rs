use framework::get;

#[get("/users/:")]
fn show() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
