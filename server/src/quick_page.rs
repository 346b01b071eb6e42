//! The quick-chat page for any browser: one small HTML page with its script and style,
//! compiled into the binary, served under `/q` with strict security headers (no inline code,
//! nothing from elsewhere, no framing, no referrer). Plus the QR codes of a room's links.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use image::{ImageFormat, Luma};
use qrcode::QrCode;

use crate::AppState;
use crate::error::Error;
use crate::routes::Routes;

const INDEX: &str = include_str!("../assets/quick/index.html");
const SCRIPT: &str = include_str!("../assets/quick/app.js");
const STYLE: &str = include_str!("../assets/quick/app.css");

/// Headers every quick-chat page response carries.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn page(content_type: &'static str, body: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    response
}

async fn index() -> Response {
    page("text/html; charset=utf-8", INDEX)
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/q", index)
        .get("/q/{room}/{token}", index)
        .get("/q/app.js", || async { page("text/javascript; charset=utf-8", SCRIPT) })
        .get("/q/app.css", || async { page("text/css; charset=utf-8", STYLE) })
        .get("/api/v1/quick/{room}/{token}/qr.svg", qr_svg)
        .get("/api/v1/quick/{room}/{token}/qr.png", qr_png)
}

/// The full link of a person, as the browser reached this server.
fn link(headers: &HeaderMap, room: &str, token: &str) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}/q/{room}/{token}")
}

async fn qr(state: &AppState, headers: &HeaderMap, room: &str, token: &str) -> Result<QrCode, Error> {
    state.quick.landing(room, token).await.map_err(|refusal| match refusal {
        crate::quick::Refused::Unavailable => {
            Error::api(StatusCode::SERVICE_UNAVAILABLE, gkchat_proto::ErrorCode::Unavailable, "try again soon")
        }
        _ => Error::not_found("no such quick chat"),
    })?;
    QrCode::new(link(headers, room, token).as_bytes()).map_err(|err| Error::Internal(format!("QR code: {err}")))
}

async fn qr_svg(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match qr(&state, &headers, &room, &token).await {
        Ok(code) => {
            let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build();
            ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")], svg).into_response()
        }
        Err(err) => err.into_response(),
    }
}

async fn qr_png(
    State(state): State<AppState>,
    Path((room, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let code = match qr(&state, &headers, &room, &token).await {
        Ok(code) => code,
        Err(err) => return err.into_response(),
    };
    // 8 px per module and the 4-module quiet zone the standard asks for.
    let (scale, quiet) = (8u32, 4u32);
    let width = u32::try_from(code.width()).unwrap_or(0);
    let side = (width + 2 * quiet) * scale;
    let colors = code.to_colors();
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < width + quiet
            && my < width + quiet
            && colors[((my - quiet) * width + (mx - quiet)) as usize] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    });
    let mut png = Vec::new();
    if let Err(err) = image.write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png) {
        return Error::Internal(format!("PNG: {err}")).into_response();
    }
    ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], png).into_response()
}
