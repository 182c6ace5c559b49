use framework::{post, Json};

#[post("/notes", format = "json")]
fn create(note: Json<Vec<String>>) -> String {
    note.0.join(",")
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![create]);
}
