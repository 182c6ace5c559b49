use framework::{post, State};

struct Db;

#[post("/notes")]
fn create(body: String, db: State<Db>) -> String {
    let _ = db;
    body
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![create]);
}
