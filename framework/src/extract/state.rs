//! `State<T>`: application state registered with `App::manage`, shared by every request.

use super::{FromRequestParts, RequestContext, Requirements};
use crate::error::Error;
use crate::http::Request;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The application state: one value per type, registered with `App::manage` and read by
/// [`State<T>`].
#[derive(Default)]
pub(crate) struct StateMap {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl StateMap {
    /// Stores `value`, replacing an earlier value of the same type.
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// Whether a value of the type `id` is registered.
    pub(crate) fn contains(&self, id: TypeId) -> bool {
        self.values.contains_key(&id)
    }

    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|v| Arc::clone(v).downcast().ok())
    }
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateMap({} values)", self.values.len())
    }
}

/// Shared application state of type `T`, registered once with `App::manage(value)`. A route that
/// takes `State<T>` for a `T` the app never registered is refused when the app is built.
///
/// ```
/// use framework::{get, routes, test::TestClient, App, BuildError, State};
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// struct Hits(AtomicU64);
///
/// #[get("/hits")]
/// fn hits(hits: State<Hits>) -> String {
///     (hits.0.fetch_add(1, Ordering::Relaxed) + 1).to_string()
/// }
///
/// let app = App::new().manage(Hits(AtomicU64::new(0))).mount("/", routes![hits]);
/// let client = TestClient::new(app)?;
/// assert_eq!(client.get("/hits").send().text(), "1");
/// assert_eq!(client.get("/hits").send().text(), "2");
///
/// // Without `.manage(...)`, the app does not build.
/// let err = App::new().mount("/", routes![hits]).build().err();
/// assert!(matches!(err, Some(BuildError::MissingState { .. })));
/// # Ok::<(), BuildError>(())
/// ```
///
/// `State<T>` dereferences to `T`, so `state.field` and `state.0` reach into your type. Handlers
/// stay plain functions: call them with [`State::new`] in unit tests.
#[derive(Debug)]
pub struct State<T: ?Sized>(Arc<T>);

impl<T> State<T> {
    /// Wraps a value, e.g. to call a handler directly in a unit test.
    pub fn new(value: T) -> Self {
        Self(Arc::new(value))
    }
}

impl<T: ?Sized> State<T> {
    /// Wraps an existing shared value.
    #[must_use]
    pub fn from_arc(value: Arc<T>) -> Self {
        Self(value)
    }

    /// The shared value itself.
    #[must_use]
    pub fn arc(&self) -> &Arc<T> {
        &self.0
    }
}

impl<T: ?Sized> Clone for State<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: ?Sized> Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Send + Sync + 'static> FromRequestParts for State<T> {
    type Rejection = Error;

    fn from_request_parts(_req: &Request, cx: &RequestContext<'_>) -> Result<Self, Error> {
        cx.state.get::<T>().map(State).ok_or_else(|| {
            // Unreachable for apps built with `App::build`, which checks requirements first.
            Error::internal(format!(
                "state `{}` is not registered",
                std::any::type_name::<T>()
            ))
        })
    }

    fn requirements(needs: &mut Requirements) {
        needs.state::<T>();
    }
}
