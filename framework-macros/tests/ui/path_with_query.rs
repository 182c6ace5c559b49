use framework::get;

#[get("/search?q=rust")]
fn search() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![search]);
}
