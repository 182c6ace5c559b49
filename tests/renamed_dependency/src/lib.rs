//! Handlers written against the framework under another name (`web`), mounted and served.

use serde::Serialize;
use web::extract::Json;
use web::{App, State, StatusCode};

/// A greeting.
#[derive(Serialize)]
pub struct Greeting {
    /// Who is greeted.
    pub name: String,
    /// How many greetings were given before, counted in the app's state.
    pub count: u64,
}

/// How many greetings were given.
#[derive(Default)]
pub struct Counter(std::sync::atomic::AtomicU64);

/// `GET /hello/:name`: a path parameter, state and a JSON answer.
#[web::get("/hello/:name")]
#[must_use]
pub fn hello(name: String, counter: State<Counter>) -> Json<Greeting> {
    let count = counter.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Json(Greeting { name, count })
}

/// `DELETE /hello`: the other attributes expand too.
#[web::route(DELETE, POST, "/hello")]
#[must_use]
pub fn reset(counter: State<Counter>) -> StatusCode {
    counter.0.store(0, std::sync::atomic::Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

/// The app: both routes, through `routes!` under the new name.
pub fn app() -> App {
    App::new()
        .manage(Counter::default())
        .mount("/", web::routes![hello, reset])
}

#[cfg(test)]
mod tests {
    use super::*;
    use web::test::TestClient;

    #[test]
    fn routes_expand_and_answer_under_the_new_name() {
        let client = TestClient::new(app()).unwrap();
        let first = client.get("/hello/ada").send();
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.text(), r#"{"name":"ada","count":0}"#);
        assert_eq!(
            client.get("/hello/bob").send().text(),
            r#"{"name":"bob","count":1}"#
        );
        assert_eq!(
            client.post("/hello").send().status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            client.get("/hello/cy").send().text(),
            r#"{"name":"cy","count":0}"#
        );
        assert_eq!(client.get("/nope").send().status(), StatusCode::NOT_FOUND);
    }
}
