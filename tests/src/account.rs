//! Accounts over the real HTTP API.

use serde_json::{Value, json};

use crate::server::Server;

/// A signed-in user as a non-browser client holds it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires, in Unix milliseconds.
    pub access_expires_at: u64,
}

impl Session {
    fn from_body(body: &Value) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        Self {
            user_id: text(&body["user"]["id"]),
            username: text(&body["user"]["username"]),
            display_name: text(&body["user"]["displayName"]),
            access_token: text(&body["accessToken"]),
            refresh_token: text(&body["refreshToken"]),
            access_expires_at: body["accessExpiresAt"].as_u64().unwrap_or_default(),
        }
    }
}

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

impl Server {
    /// A request to `path` with `token` as bearer, ready for a body or more headers.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, self.http_url(path))
            .bearer_auth(token)
    }

    /// POSTs JSON to `path`; returns the status and the JSON body (`Null` when empty).
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(self.http_url(path))
            .json(body)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers `name`: username `name` lowercased, display name `name`.
    pub async fn register(&self, name: &str) -> Session {
        let (status, body) = self
            .post(
                "/api/auth/register",
                &json!({ "username": name.to_lowercase(), "password": PASSWORD, "displayName": name }),
            )
            .await;
        assert_eq!(status, 201, "registering {name}: {body}");
        Session::from_body(&body)
    }

    /// Signs in an existing account.
    pub async fn sign_in(&self, username: &str, password: &str) -> Session {
        let (status, body) = self.login(username, password).await;
        assert_eq!(status, 200, "signing in {username}: {body}");
        Session::from_body(&body)
    }

    pub async fn login(&self, username: &str, password: &str) -> (u16, Value) {
        self.post(
            "/api/auth/login",
            &json!({ "username": username, "password": password }),
        )
        .await
    }

    /// The ids of the rooms `who` is a member of, as D1 lists them (`GET /api/rooms`).
    pub async fn listed_rooms(&self, who: &Session) -> Vec<String> {
        let (status, body) = self.get_as("/api/rooms", &who.access_token).await;
        assert_eq!(status, 200, "{body}");
        body["rooms"]
            .as_array()
            .expect("a list of rooms")
            .iter()
            .map(|r| r["roomId"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// POSTs to a route of the bench build (the default [`Worker`](crate::server::Worker))
    /// and expects a 204.
    pub async fn bench(&self, path: &str, body: &Value) {
        let response = reqwest::Client::new()
            .post(self.http_url(path))
            .json(body)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status().as_u16(), 204, "{path}");
    }

    /// Trades a refresh token for a new session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, (u16, Value)> {
        let (status, body) = self
            .post(
                "/api/auth/refresh",
                &json!({ "refreshToken": refresh_token }),
            )
            .await;
        if status == 200 {
            Ok(Session::from_body(&body))
        } else {
            Err((status, body))
        }
    }

    /// GETs `path` with `token` as bearer.
    pub async fn get_as(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .request(reqwest::Method::GET, path, token)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

impl Server {
    /// POSTs to `path` as a browser would with a cookie (`name=value`), with or without
    /// the CSRF header.
    pub async fn cookie_post(&self, path: &str, cookie: &str, csrf: bool) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(self.http_url(path))
            .header("Cookie", cookie);
        if csrf {
            request = request.header(edgechat_auth::cookie::CSRF_HEADER, "1");
        }
        request.send().await.expect("the server answers")
    }
}

/// The `name=value` pair of the cookie `name` that `response` sets.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

impl Server {
    /// Creates the public room `name` (its id is the same slug) with `owner` as its admin.
    pub async fn room(&self, owner: &Session, name: &str) -> String {
        let response = self
            .request(reqwest::Method::POST, "/api/rooms", &owner.access_token)
            .json(&json!({ "name": name }))
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 201, "creating room {name}: {body}");
        body["room"]["roomId"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// PATCHes `body` to `path` with `token` as bearer; returns the status and JSON body.
    pub async fn patch_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send_as(reqwest::Method::PATCH, path, token, body)
            .await
    }

    /// POSTs `body` to `path` with `token` as bearer; returns the status and JSON body.
    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send_as(reqwest::Method::POST, path, token, body).await
    }

    /// DELETEs with `body` at `path` with `token` as bearer; returns the status and JSON body.
    pub async fn delete_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send_as(reqwest::Method::DELETE, path, token, body)
            .await
    }

    async fn send_as(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> (u16, Value) {
        let response = self
            .request(method, path, token)
            .json(body)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}
