use std::any::{Any, TypeId};
use std::collections::HashMap;
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
/// # Ok::<(), framework::parse::ParseError>(())
/// ```
///
/// Values are shared, not copied, when a request is cloned into a handler's `Request` argument,
/// so they must be `Send + Sync`. A request that arrives on a kept-alive connection starts empty.
#[derive(Clone, Default)]
pub struct Extensions {
    // `None` until the first insert, so a request nobody decorates allocates nothing.
    map: Option<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Extensions {
    /// No values.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Attaches `value`, returning whether a value of that type was replaced.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) -> bool {
        self.map
            .get_or_insert_with(HashMap::new)
            .insert(TypeId::of::<T>(), Arc::new(value))
            .is_some()
    }

    /// The value of type `T`, if one was attached.
    #[must_use]
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.map
            .as_ref()?
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref())
    }

    /// Whether a value of type `T` is attached.
    #[must_use]
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        self.get::<T>().is_some()
    }

    /// Removes the value of type `T`, returning whether there was one.
    pub fn remove<T: Send + Sync + 'static>(&mut self) -> bool {
        self.map
            .as_mut()
            .is_some_and(|m| m.remove(&TypeId::of::<T>()).is_some())
    }

    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.as_ref().map_or(0, HashMap::len)
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every value, keeping the allocation.
    pub fn clear(&mut self) {
        if let Some(m) = &mut self.map {
            m.clear();
        }
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
