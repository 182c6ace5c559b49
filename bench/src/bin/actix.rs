//! `actix`: actix-web 4 with one worker (`workers(1)`; actix-server adds its accept thread).

use actix_web::http::header;
use actix_web::{web, App, HttpResponse, HttpServer};
use framework_bench::{listen_addr, message, ErrorBody, NewUser, Store, PLAINTEXT};

async fn plaintext() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(PLAINTEXT)
}

async fn json() -> HttpResponse {
    HttpResponse::Ok().json(message())
}

async fn create(store: web::Data<Store>, new: web::Json<NewUser>) -> HttpResponse {
    let user = store.create(new.into_inner());
    HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/users/{}", user.id)))
        .json(user)
}

async fn show(store: web::Data<Store>, id: web::Path<u64>) -> HttpResponse {
    match store.get(id.into_inner()) {
        Some(user) => HttpResponse::Ok().json(user),
        None => HttpResponse::NotFound().json(ErrorBody {
            error: "user not found",
        }),
    }
}

fn main() -> std::io::Result<()> {
    let addr = listen_addr();
    let store = web::Data::new(Store::default());
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .app_data(store.clone())
                .route("/plaintext", web::get().to(plaintext))
                .route("/json", web::get().to(json))
                .route("/users", web::post().to(create))
                .route("/users/{id}", web::get().to(show))
        })
        .workers(1)
        .bind(&addr)?;
        eprintln!("actix listening on http://{addr}");
        server.run().await
    })
}
