use framework::get;

#[get("/:1d")]
fn show() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
