//! A router that remembers its routes: every route is added through [`Routes`], which keeps
//! its method and path beside the axum router, so tests can enumerate what the server serves
//! (the authorization matrix fails for a route without rows) instead of listing it by hand.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, head, options, patch, post, put};

use crate::AppState;

/// One route: an HTTP method on a path template (`/api/v1/chats/{chat_id}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: Method,
    pub path: String,
}

#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    list: Vec<Route>,
}

macro_rules! method {
    ($name:ident, $method:ident, $make:ident) => {
        pub fn $name<H, T>(self, path: &str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add(Method::$method, path, $make(handler))
        }
    };
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    method!(get, GET, get);
    method!(post, POST, post);
    method!(put, PUT, put);
    method!(patch, PATCH, patch);
    method!(delete, DELETE, delete);
    method!(head, HEAD, head);
    method!(options, OPTIONS, options);

    fn add(mut self, method: Method, path: &str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler);
        self.list.push(Route { method, path: path.to_owned() });
        self
    }

    /// `other`'s routes under `prefix`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.router = self.router.nest(prefix, other.router);
        self.list
            .extend(other.list.into_iter().map(|route| Route { path: format!("{prefix}{}", route.path), ..route }));
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    /// Every route, sorted.
    pub fn list(&self) -> Vec<Route> {
        let mut list = self.list.clone();
        list.sort();
        list
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
