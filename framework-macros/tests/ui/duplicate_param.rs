use framework::get;

#[get("/users/:id/posts/:id")]
fn post(id: u64) -> String {
    id.to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![post]);
}
