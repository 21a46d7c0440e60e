//! Extractors whose failures are problem documents rather than axum's plain-text errors.

use crate::problem::Problem;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| ApiJson(v))
            .map_err(Problem::from)
    }
}

pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(Problem::from)
    }
}

pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(Problem::from)
    }
}

/// Tells "field absent" (leave as is) from "field: null" (clear it) in PATCH bodies.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A body sent as JSON, or as `multipart/form-data` with the same fields as text parts and
/// any number of file parts.
pub enum JsonOrForm<T> {
    Json(T),
    Form(FormParts),
}

pub use crate::multipart::FormParts;

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonOrForm<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::Multipart;
        use axum::extract::multipart::MultipartError;
        use axum::http::{StatusCode, header};
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !is_multipart {
            let ApiJson(body) = ApiJson::<T>::from_request(req, state).await?;
            return Ok(JsonOrForm::Json(body));
        }
        let read_error = |e: MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                crate::problem::too_large()
            } else {
                Problem::new(StatusCode::BAD_REQUEST, "invalid_body", e.body_text())
            }
        };
        let multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "invalid_body", e.body_text()))?;
        let parts = FormParts::read(multipart).await.map_err(read_error)?;
        Ok(JsonOrForm::Form(parts))
    }
}

/// A form field the endpoint cannot take.
pub fn invalid_field(field: &str, detail: String) -> Problem {
    Problem::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        detail,
    )
    .with_field(field)
}
