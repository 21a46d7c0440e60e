//! Rating a solved request, 1 to 5 with a comment: on the request's page when signed in,
//! and from the single-use link of the e-mail that says it was solved (which signs nobody
//! in: the link only rates its request).

use super::error::PortalError;
use super::session::{Customer, Frame, lang_of};
use super::texts::PortalTexts;
use crate::console::Lang;
use crate::pages::{render, same_origin};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use soporte_app::portal::{LinkState, RatingInput, RatingLink};
use soporte_app::{App, AppError};
use soporte_core::ticket::Ticket;

/// One of the five answers of the form.
pub(super) struct RatingChoice {
    pub value: i16,
    pub word: &'static str,
}

/// A rating already given.
pub(super) struct GivenRating {
    pub rating: i16,
    pub word: &'static str,
    pub comment: String,
}

/// The rating part of a page: the form while it may be rated, or the rating given.
pub(super) struct RatingBlock {
    pub may_rate: bool,
    pub given: Option<GivenRating>,
    pub choices: Vec<RatingChoice>,
    /// Where the form goes, and the hidden field that says which request it rates (the
    /// session's anti-forgery token on the request's page, the link's secret otherwise).
    pub action: String,
    pub hidden_name: &'static str,
    pub hidden_value: String,
    /// Why what was sent was refused.
    pub problem: &'static str,
}

impl RatingBlock {
    fn new(t: &PortalTexts, action: String, hidden_name: &'static str, hidden: String) -> Self {
        Self {
            may_rate: false,
            given: None,
            choices: (1..=5)
                .map(|value| RatingChoice {
                    value,
                    word: t.rating_word(value),
                })
                .collect(),
            action,
            hidden_name,
            hidden_value: hidden,
            problem: "",
        }
    }
}

/// The rating part of a request's page.
pub(super) async fn request_block(
    app: &App,
    customer: &Customer,
    ticket: &Ticket,
    problem: &'static str,
) -> Result<RatingBlock, PortalError> {
    let t = customer.t;
    let mut block = RatingBlock::new(
        t,
        format!("/portal/requests/{}/rating", ticket.number),
        "_csrf",
        customer.csrf.clone(),
    );
    if !app.settings().portal.satisfaction {
        return Ok(block);
    }
    let given = app
        .satisfaction(&customer.principal(), ticket.id)
        .await
        .map_err(|e| PortalError::App(e, customer.lang))?;
    block.given = given.map(|s| GivenRating {
        rating: s.rating,
        word: t.rating_word(s.rating),
        comment: s.comment,
    });
    block.may_rate = block.given.is_none() && app.may_be_rated(ticket);
    block.problem = problem;
    Ok(block)
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// A signed-in customer rates their solved request.
pub async fn rate(
    State(app): State<App>,
    customer: Customer,
    Path(number): Path<String>,
    Form(form): Form<RateForm>,
) -> Result<Response, PortalError> {
    customer.check_csrf(&form.csrf)?;
    let input = RatingInput {
        rating: form.rating,
        comment: form.comment,
    };
    let done = match app.portal_rate(&customer.user, &number, &input).await {
        Ok(true) => "rated",
        Ok(false) => "already_rated",
        Err(AppError::Invalid(_)) => "rate_invalid",
        Err(e) => return Err(PortalError::App(e, customer.lang)),
    };
    Ok(Redirect::to(&format!("/portal/requests/{number}?done={done}#rating")).into_response())
}

#[derive(Template)]
#[template(path = "portal/rating.html")]
struct LinkRatingPage<'a> {
    frame: Frame<'a>,
    number: String,
    subject: String,
    rating: RatingBlock,
    /// What the page says instead of the form (thanks, used, expired).
    message: &'static str,
}

/// What became of a link that can no longer rate, in the customer's words.
fn spent_words(t: &PortalTexts, spent: Option<LinkState>) -> (StatusCode, &'static str) {
    match spent {
        None => (StatusCode::OK, ""),
        Some(LinkState::Expired) => (StatusCode::GONE, t.rate_link_expired),
        Some(_) => (StatusCode::GONE, t.already_rated),
    }
}

/// A rating link's page: its request, what the page says (`message`), and the form when
/// `problem` is set or the link can still be used.
fn link_response(
    app: &App,
    lang: Lang,
    token: &str,
    link: RatingLink,
    (status, message): (StatusCode, &'static str),
    problem: &'static str,
) -> Response {
    let t = PortalTexts::of(lang);
    let mut rating = RatingBlock::new(t, "/portal/rating".into(), "token", token.trim().into());
    rating.may_rate = !problem.is_empty() || (message.is_empty() && link.spent.is_none());
    rating.problem = problem;
    // Switching the language comes back to this form.
    let here = format!(
        "/portal/link?token={}",
        crate::pages::percent_encoded(token.trim())
    );
    let mut response = render(&LinkRatingPage {
        frame: Frame::anonymous(app, lang, &here),
        number: link.number,
        subject: link.subject,
        rating,
        message,
    });
    *response.status_mut() = status;
    response
}

/// The page a rating link opens: the form while the link works, otherwise what became of
/// it. Nothing is spent by opening it.
pub(super) fn link_page(app: &App, headers: &HeaderMap, token: &str, link: RatingLink) -> Response {
    let lang = lang_of(headers);
    let words = spent_words(PortalTexts::of(lang), link.spent);
    link_response(app, lang, token, link, words, "")
}

#[derive(Deserialize)]
pub struct LinkRateForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// Rates the request of a rating link, and spends the link.
pub async fn rate_by_link(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<LinkRateForm>,
) -> Result<Response, PortalError> {
    let lang = lang_of(&headers);
    if !same_origin(&headers) {
        return Err(PortalError::Forgery(lang));
    }
    let t = PortalTexts::of(lang);
    let Some(link) = app
        .rating_link(&form.token)
        .await
        .map_err(|e| PortalError::App(e, lang))?
    else {
        return Err(PortalError::App(
            AppError::not_found("link", "rating"),
            lang,
        ));
    };
    let input = RatingInput {
        rating: form.rating,
        comment: form.comment,
    };
    let (words, problem) = match app.rate_with_link(&form.token, &input).await {
        Ok(true) => ((StatusCode::OK, t.rated_thanks), ""),
        Ok(false) => (spent_words(t, link.spent.or(Some(LinkState::Used))), ""),
        Err(AppError::Invalid(_)) => ((StatusCode::UNPROCESSABLE_ENTITY, ""), t.rate_invalid),
        Err(e) => return Err(PortalError::App(e, lang)),
    };
    Ok(link_response(&app, lang, &form.token, link, words, problem))
}
