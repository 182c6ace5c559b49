use framework::{post, Json};

#[post("/notes")]
fn create(note: Json<Vec<String>>, raw: String) -> String {
    format!("{note:?} {raw}")
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![create]);
}
