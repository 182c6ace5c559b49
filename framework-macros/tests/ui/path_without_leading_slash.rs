use framework::get;

#[get("users")]
fn users() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![users]);
}
