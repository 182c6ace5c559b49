use std::any::{Any, TypeId};
use std::fmt;
use std::sync::Arc;

/// Typed values attached to a request: one per type. Middleware puts them there (the
/// authenticated user, a request id, the client address behind a proxy) and handlers take them
/// with [`Extension<T>`](crate::extract::Extension).
///
/// ```
/// use framework::{Method, Request};
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct User(&'static str);
///
/// let mut req = Request::new(Method::Get, "/")?;
/// assert_eq!(req.extensions().get::<User>(), None);
/// req.extensions_mut().insert(User("ada"));
/// assert_eq!(req.extensions().get::<User>(), Some(&User("ada")));
/// # Ok::<(), framework::proto::parse::ParseError>(())
/// ```
///
/// Values are shared, not copied, when a request is cloned into a handler's `Request` argument,
/// so they must be `Send + Sync`. A request that arrives on a kept-alive connection starts empty.
#[derive(Clone, Default)]
pub struct Extensions {
    // A request carries a handful of values at most: a linear scan of a small vector beats
    // hashing `TypeId`s, and `clear` keeps the allocation for the next request on the connection.
    values: Vec<(TypeId, Arc<dyn Any + Send + Sync>)>,
}

impl Extensions {
    /// No values.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Attaches `value`, returning whether a value of that type was replaced.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) -> bool {
        let id = TypeId::of::<T>();
        let value: Arc<dyn Any + Send + Sync> = Arc::new(value);
        match self.values.iter_mut().find(|(t, _)| *t == id) {
            Some(slot) => {
                slot.1 = value;
                true
            }
            None => {
                self.values.push((id, value));
                false
            }
        }
    }

    /// The value of type `T`, if one was attached.
    #[must_use]
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.values
            .iter()
            .find(|(t, _)| *t == id)
            .and_then(|(_, v)| v.downcast_ref())
    }

    /// Whether a value of type `T` is attached.
    #[must_use]
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        self.get::<T>().is_some()
    }

    /// Removes the value of type `T`, returning whether there was one.
    pub fn remove<T: Send + Sync + 'static>(&mut self) -> bool {
        let id = TypeId::of::<T>();
        let before = self.values.len();
        self.values.retain(|(t, _)| *t != id);
        self.values.len() != before
    }

    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Removes every value, keeping the allocation.
    pub fn clear(&mut self) {
        self.values.clear();
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extensions({} values)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type_and_a_second_insert_replaces_the_first() {
        let mut ext = Extensions::new();
        assert!(!ext.insert(1u32));
        assert!(ext.insert(2u32));
        assert!(!ext.insert("text"));
        assert_eq!(ext.get::<u32>(), Some(&2));
        assert_eq!(ext.get::<&str>(), Some(&"text"));
        assert_eq!(ext.len(), 2);
        assert!(ext.remove::<u32>());
        assert!(!ext.contains::<u32>());
        ext.clear();
        assert!(ext.is_empty());
    }

    #[test]
    fn clones_share_the_values() {
        let mut ext = Extensions::new();
        ext.insert(String::from("x"));
        let copy = ext.clone();
        assert_eq!(copy.get::<String>().map(String::as_str), Some("x"));
    }
}
