use framework::get;

#[get("/user list")]
fn users() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![users]);
}
