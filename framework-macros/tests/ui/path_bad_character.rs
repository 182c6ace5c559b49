use framework::get;

#[get("/user\tlist")]
fn users() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![users]);
}
