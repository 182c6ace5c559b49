use framework::get;

struct Db;

#[get("/users/:id")]
fn show(db: Db, id: u64) -> String {
    let _ = db;
    id.to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
