//! What a browser test does with a page, whichever browser shows it: Chromium (or the app)
//! through W3C WebDriver classic ([`crate::webdriver::Session`]) or Firefox through WebDriver
//! BiDi ([`crate::firefox::Firefox`]). A flow written against [`Browser`] runs in either.

use std::time::Duration;

use serde_json::Value;

use crate::webdriver::{Element, Session};

// Only used through generics in tests, which block on their futures: no `Send` bound wanted.
#[allow(async_fn_in_trait)]
pub trait Browser {
    /// A reference to an element on the current page.
    type Element;

    /// Loads `url` in the current tab and waits until it has loaded.
    async fn goto(&self, url: &str);

    /// Opens a new tab, closes the current one and continues in the new one (a person closing
    /// the tab and opening another).
    async fn close_tab_for_a_new_one(&self);

    /// The first element matching `css`, if any.
    async fn find(&self, css: &str) -> Option<Self::Element>;

    /// The DOM property `name` of `element` (`Null` when the element is gone).
    async fn property(&self, element: &Self::Element, name: &str) -> Value;

    async fn click(&self, element: &Self::Element);

    /// Empties a text field.
    async fn clear(&self, element: &Self::Element);

    /// Types `text` into `element` with key presses (WebDriver key codes, e.g. `\u{E007}` Enter).
    async fn type_text(&self, element: &Self::Element, text: &str);

    /// Runs `script` (a function body; `arguments` as in WebDriver) and returns its value.
    async fn execute(&self, script: &str, args: Value) -> Value;

    /// Saves a screenshot and the page source under `target/e2e/`.
    async fn save_failure_evidence(&self);

    /// Ends the session (the browser closes its window).
    async fn end(self);

    /// Waits up to `limit` for an element matching `css`.
    async fn wait_for(&self, css: &str, limit: Duration) -> Self::Element {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(element) = self.find(css).await {
                return element;
            }
            if tokio::time::Instant::now() >= deadline {
                self.save_failure_evidence().await;
                panic!("no element {css} within {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to `limit` until property `name` of `element` satisfies `predicate`.
    async fn wait_for_property(
        &self,
        element: &Self::Element,
        name: &str,
        limit: Duration,
        predicate: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let value = self.property(element, name).await;
            if predicate(&value) {
                return value;
            }
            if tokio::time::Instant::now() >= deadline {
                self.save_failure_evidence().await;
                panic!("property {name} never matched within {limit:?}; last {value}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Browser for Session {
    type Element = Element;

    async fn goto(&self, url: &str) {
        Session::goto(self, url).await;
    }

    async fn close_tab_for_a_new_one(&self) {
        Session::close_tab_for_a_new_one(self).await;
    }

    async fn find(&self, css: &str) -> Option<Element> {
        Session::find(self, css).await
    }

    async fn property(&self, element: &Element, name: &str) -> Value {
        Session::property(self, element, name).await
    }

    async fn click(&self, element: &Element) {
        Session::click(self, element).await;
    }

    async fn clear(&self, element: &Element) {
        Session::clear(self, element).await;
    }

    async fn type_text(&self, element: &Element, text: &str) {
        Session::type_text(self, element, text).await;
    }

    async fn execute(&self, script: &str, args: Value) -> Value {
        Session::execute(self, script, args).await
    }

    async fn save_failure_evidence(&self) {
        Session::save_failure_evidence(self).await;
    }

    async fn end(self) {
        Session::end(self).await;
    }
}
