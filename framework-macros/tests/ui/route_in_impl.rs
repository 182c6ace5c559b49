use framework::get;

struct Api;

impl Api {
    #[get("/health")]
    fn health() -> &'static str {
        "ok"
    }
}

fn main() {}
