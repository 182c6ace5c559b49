use framework::get;

trait Api {
    #[get("/health")]
    fn health() -> &'static str {
        "ok"
    }
}

fn main() {}
