//! Profile `request-id`: every response carries `X-Request-Id`, the request's own when it sent a
//! usable one, a fresh UUID v4 otherwise. A `wrap_fn` middleware, outermost (wrapped last), so
//! that every answer gets it: the app's and resources' fallbacks (404, 405), extractor rejections
//! (400, 413, 415), handler errors (409, 412, 422), and an inner middleware's error too.

use actix_web::{
    Error,
    body::MessageBody,
    dev::{Service, ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
};
use uuid::Uuid;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest id echoed; a longer (or empty, or non-visible-ASCII) one is replaced.
const MAX_LEN: usize = 200;

fn usable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty() && bytes.len() <= MAX_LEN && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// For `App::wrap_fn`: sets the response's `X-Request-Id`.
pub fn middleware<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<B>, Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let id = match req.headers().get(&X_REQUEST_ID) {
        Some(value) if usable(value) => value.clone(),
        _ => HeaderValue::from_str(&Uuid::new_v4().to_string()).expect("a UUID is a header value"),
    };
    let response = srv.call(req);
    async move {
        match response.await {
            // handlers' and extractors' errors (ApiError, 404, 405, 413, 415) are responses here
            Ok(mut res) => {
                res.headers_mut().insert(X_REQUEST_ID, id);
                Ok(res)
            }
            // an inner middleware's error becomes a response only after this one has returned
            // (as actix-cors does, the header goes on through a response mapper)
            Err(mut err) => {
                err.add_response_mapper(move |mut res| {
                    res.headers_mut().insert(X_REQUEST_ID, id.clone());
                    res
                });
                Err(err)
            }
        }
    }
}
