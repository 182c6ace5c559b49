use framework::{post, Json};

struct NewUser {
    name: String,
}

#[post("/users")]
fn create(user: Json<NewUser>) -> String {
    user.0.name
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![create]);
}
