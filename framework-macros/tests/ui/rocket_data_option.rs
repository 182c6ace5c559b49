use framework::post;

#[post("/users", data = "<user>")]
fn create(user: Vec<u8>) -> String {
    user.len().to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![create]);
}
