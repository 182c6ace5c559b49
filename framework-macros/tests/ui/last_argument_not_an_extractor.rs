use framework::get;

struct Db;

#[get("/users/:id")]
fn show(id: u64, db: Db) -> String {
    let _ = db;
    id.to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
