use framework::{get, Query};

struct Page {
    n: u32,
}

#[get("/items")]
fn items(page: Query<Page>, body: String) -> String {
    format!("{} {body}", page.0.n)
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![items]);
}
