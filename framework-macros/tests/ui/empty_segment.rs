use framework::get;

#[get("/users//posts")]
fn posts() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![posts]);
}
