use framework::get;

struct Store;

#[get("/")]
fn index(store: Store) -> &'static str {
    let _ = store;
    "ok"
}

fn main() {
    let _ = framework::App::new().manage(Store).mount("/", framework::routes![index]);
}
