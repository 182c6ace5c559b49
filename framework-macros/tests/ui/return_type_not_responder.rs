use framework::get;

struct User {
    name: String,
}

#[get("/me")]
fn me() -> User {
    User { name: "me".into() }
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![me]);
}
