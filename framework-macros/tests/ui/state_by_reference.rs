use framework::{get, State};

struct Db;

#[get("/")]
fn index(db: &State<Db>) -> &'static str {
    let _ = db;
    "ok"
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![index]);
}
