use framework::get;

struct UserId(u64);

#[get("/users/:id")]
fn show(id: UserId) -> String {
    id.0.to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
