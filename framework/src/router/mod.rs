//! The router: a tree of path segments. Insert routes once at start-up (conflicts fail there),
//! then look paths up per request.
//!
//! Patterns (their grammar is in [`pattern`]) are `/`-separated segments; each is static text, a `:name` parameter (one whole
//! segment), or, last only, a `*name` catch-all (the rest of the path, at least one character).
//! Precedence does not depend on the order of insertion: static segments beat parameters, which
//! beat catch-alls, with backtracking, so `/users/me/posts` may match `/users/:id/posts` when
//! `/users/me` has no `posts` below it.
//!
//! Trailing slashes are significant: `/users` and `/users/` are different paths, and a request
//! for one never matches the other (no redirect). Empty segments (`/a//b`) match only patterns
//! with empty segments, which the route macros refuse, so in practice they are 404.
//!
//! A path matches an *endpoint*; the endpoint then picks the handler by method. A path with no
//! endpoint is `404`; an endpoint without the method is `405` with the endpoint's `Allow` list
//! (which includes `HEAD` wherever `GET` is, and `OPTIONS`).
//!
//! ```
//! use framework::router::{Miss, Router};
//! use framework::Method;
//!
//! let mut router = Router::new();
//! router.insert(Method::Get, "/users/:id", "show")?;
//! router.insert(Method::Get, "/users/me", "me")?;
//! router.insert(Method::Get, "/files/*path", "file")?;
//!
//! let m = router.at(&Method::Get, "/users/42").map_err(|_| "no match")?;
//! assert_eq!((*m.value, m.params.get("id")), ("show", Some("42")));
//! assert_eq!(*router.at(&Method::Get, "/users/me").map_err(|_| "no match")?.value, "me");
//! let m = router.at(&Method::Get, "/files/a/b.txt").map_err(|_| "no match")?;
//! assert_eq!(m.params.get("path"), Some("a/b.txt"));
//! assert!(matches!(router.at(&Method::Post, "/users/42"), Err(Miss::MethodNotAllowed(allow)) if allow == "GET, HEAD, OPTIONS"));
//! assert!(matches!(router.at(&Method::Get, "/nope"), Err(Miss::NotFound)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod pattern;

use crate::http::Method;
use pattern::{segments, PatternError, Segment};
use std::fmt;

/// Why a pattern could not be inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InsertError {
    /// The pattern is malformed.
    Pattern(PatternError),
    /// A pattern of the same shape already has a value for this method.
    Conflict {
        /// That earlier pattern, as it was inserted.
        with: String,
    },
}

impl From<PatternError> for InsertError {
    fn from(e: PatternError) -> Self {
        Self::Pattern(e)
    }
}

impl fmt::Display for InsertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pattern(e) => e.fmt(f),
            Self::Conflict { with } => write!(f, "conflicts with the route `{with}`"),
        }
    }
}

impl std::error::Error for InsertError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Pattern(e) => Some(e),
            Self::Conflict { .. } => None,
        }
    }
}

/// Why a lookup found no handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss<'r> {
    /// No endpoint matches the path.
    NotFound,
    /// An endpoint matches, without a handler for the method: the `Allow` value for the 405.
    MethodNotAllowed(&'r str),
}

/// Most parameters kept without allocating.
const INLINE_PARAMS: usize = 4;

/// Parameter values of a match, as byte ranges of the looked-up path, in pattern order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ranges {
    inline: [(usize, usize); INLINE_PARAMS],
    len: usize,
    spill: Vec<(usize, usize)>,
}

impl Ranges {
    fn push(&mut self, range: (usize, usize)) {
        if self.len < INLINE_PARAMS {
            self.inline[self.len] = range;
        } else {
            self.spill.push(range);
        }
        self.len += 1;
    }

    fn truncate(&mut self, len: usize) {
        self.len = len;
        self.spill.truncate(len.saturating_sub(INLINE_PARAMS));
    }

    fn len(&self) -> usize {
        self.len
    }

    /// The value of parameter `i`, borrowed from `path`, which must be the path looked up.
    fn get<'p>(&self, path: &'p str, i: usize) -> Option<&'p str> {
        let (start, end) = if i < INLINE_PARAMS.min(self.len) {
            self.inline[i]
        } else {
            *self.spill.get(i.checked_sub(INLINE_PARAMS)?)?
        };
        path.get(start..end)
    }
}

/// The path parameters of a match, by name as in the pattern (`:id` is `"id"`), still
/// percent-encoded, borrowed from the path that was looked up.
#[derive(Debug, Clone)]
pub struct Params<'r, 'p> {
    path: &'p str,
    route: RouteParams<'r>,
}

impl<'r, 'p> Params<'r, 'p> {
    /// The raw value of the parameter `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&'p str> {
        self.route.get(self.path, self.route.index_of(name)?)
    }

    /// `(name, raw value)` pairs, in pattern order.
    pub fn iter(&self) -> impl Iterator<Item = (&'r str, &'p str)> + '_ {
        let path = self.path;
        self.route
            .names
            .iter()
            .enumerate()
            .filter_map(move |(i, n)| Some((&**n, self.route.get(path, i)?)))
    }

    /// Number of parameters.
    #[must_use]
    pub fn len(&self) -> usize {
        self.route.ranges.len()
    }

    /// Whether the pattern had no parameters.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parameters without the borrow of the path (the app keeps them while the handler
    /// borrows the request mutably).
    pub(crate) fn detach(self) -> RouteParams<'r> {
        self.route
    }
}

/// [`Params`] without the path: names and byte ranges. Give the looked-up path back to read a
/// value.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteParams<'r> {
    names: &'r [Box<str>],
    ranges: Ranges,
}

impl RouteParams<'_> {
    /// The position of the parameter `name` in the pattern.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| **n == *name)
    }

    /// The raw value of parameter `i`, from `path`, the path that was looked up.
    pub(crate) fn get<'p>(&self, path: &'p str, i: usize) -> Option<&'p str> {
        self.ranges.get(path, i)
    }
}

/// A successful lookup.
#[derive(Debug)]
pub struct Match<'r, 'p, T> {
    /// The value inserted for the route.
    pub value: &'r T,
    /// Its parameters.
    pub params: Params<'r, 'p>,
}

/// A value with its pattern and the pattern's parameter names.
#[derive(Debug)]
struct Entry<T> {
    value: T,
    pattern: Box<str>,
    names: Box<[Box<str>]>,
}

#[derive(Debug)]
struct Endpoint {
    /// `(method, index into values)`.
    methods: Vec<(Method, usize)>,
    /// The `Allow` value for a 405 or an automatic OPTIONS.
    allow: String,
}

impl Endpoint {
    fn new() -> Self {
        Self {
            methods: Vec::new(),
            allow: String::new(),
        }
    }

    fn refresh_allow(&mut self) {
        let mut names: Vec<&str> = self.methods.iter().map(|(m, _)| m.as_str()).collect();
        if names.contains(&"GET") {
            names.push("HEAD");
        }
        names.push("OPTIONS");
        // Standard order first, extensions after, each once.
        let order = [
            "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
        ];
        let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(order.len());
        // A stable insertion sort: a handful of names, and `sort_by_key` would compile a whole
        // general-purpose sort for this one call.
        for i in 1..names.len() {
            let mut j = i;
            while j > 0 && (rank(names[j - 1]), names[j - 1]) > (rank(names[j]), names[j]) {
                names.swap(j - 1, j);
                j -= 1;
            }
        }
        names.dedup();
        self.allow = names.join(", ");
    }
}

#[derive(Debug, Default)]
struct Node {
    /// The [`tag`] of each static child, index for index with `statics`: a lookup scans these
    /// small integers and compares text only where the tag is equal.
    tags: Vec<u32>,
    /// Static children, in insertion order (at most one can match a segment, so order does not
    /// matter).
    statics: Vec<(Box<str>, Node)>,
    param: Option<Box<Node>>,
    catch_all: Option<Endpoint>,
    endpoint: Option<Endpoint>,
}

/// A summary of a static segment: its length (up to `0xFFFF`), first and last bytes. Equal
/// segments have equal tags, and different segments seldom do.
fn tag(segment: &str) -> u32 {
    let bytes = segment.as_bytes();
    let len = u32::try_from(bytes.len()).map_or(0xFFFF, |n| n.min(0xFFFF));
    let first = bytes.first().map_or(0, |&b| u32::from(b));
    let last = bytes.last().map_or(0, |&b| u32::from(b));
    len << 16 | first << 8 | last
}

impl Node {
    /// The index of the static child for `segment`. A linear scan of the tags: for the few tens of
    /// children a node has in practice it beats a binary search over the text (measured with
    /// `benches/router.rs`).
    fn static_index(&self, segment: &str) -> Option<usize> {
        let tag = tag(segment);
        self.tags
            .iter()
            .zip(&self.statics)
            .position(|(&t, (s, _))| t == tag && **s == *segment)
    }

    /// The static child for `segment`.
    fn static_child(&self, segment: &str) -> Option<&Node> {
        self.static_index(segment).map(|i| &self.statics[i].1)
    }

    /// The static child for `segment`, added when missing.
    fn static_child_mut(&mut self, segment: &str) -> &mut Node {
        let i = match self.static_index(segment) {
            Some(i) => i,
            None => {
                self.tags.push(tag(segment));
                self.statics.push((segment.into(), Node::default()));
                self.statics.len() - 1
            }
        };
        &mut self.statics[i].1
    }
}

/// A router from `(method, path)` to values of type `T`.
#[derive(Debug)]
pub struct Router<T> {
    root: Node,
    values: Vec<Entry<T>>,
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Router<T> {
    /// An empty router.
    #[must_use]
    pub fn new() -> Self {
        Self {
            root: Node::default(),
            values: Vec::new(),
        }
    }

    /// The values in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.values.iter().map(|e| &e.value)
    }

    /// Adds a route.
    ///
    /// # Errors
    /// A malformed pattern, or [`InsertError::Conflict`] when a pattern of the same shape (same
    /// segments, parameters in the same places whatever their names) already has this method.
    pub fn insert(&mut self, method: Method, pattern: &str, value: T) -> Result<(), InsertError> {
        let segs = segments(pattern)?;
        let names = segs
            .iter()
            .filter_map(Segment::name)
            .map(Box::from)
            .collect();
        let mut node = &mut self.root;
        let mut endpoint = None;
        for seg in segs {
            match seg {
                Segment::Static(text) => node = node.static_child_mut(text),
                Segment::Param(_) => node = node.param.get_or_insert_with(Box::default),
                Segment::CatchAll(_) => {
                    endpoint = Some(node.catch_all.get_or_insert_with(Endpoint::new));
                    break;
                }
            }
        }
        let endpoint = match endpoint {
            Some(e) => e,
            None => node.endpoint.get_or_insert_with(Endpoint::new),
        };
        if let Some(&(_, index)) = endpoint.methods.iter().find(|(m, _)| *m == method) {
            let with = self
                .values
                .get(index)
                .map_or_else(String::new, |e| e.pattern.to_string());
            return Err(InsertError::Conflict { with });
        }
        endpoint.methods.push((method, self.values.len()));
        endpoint.refresh_allow();
        self.values.push(Entry {
            value,
            pattern: pattern.into(),
            names,
        });
        Ok(())
    }

    /// Finds the value for `method` and `path` (the raw path of a request: static segments that
    /// hold `%` escapes are compared decoded). `HEAD` falls back to the `GET` route when there is
    /// no `HEAD` route.
    ///
    /// # Errors
    /// [`Miss::NotFound`] or [`Miss::MethodNotAllowed`] with the `Allow` list.
    pub fn at<'p>(&self, method: &Method, path: &'p str) -> Result<Match<'_, 'p, T>, Miss<'_>> {
        let mut ranges = Ranges::default();
        let Some(rest) = path.strip_prefix('/') else {
            return Err(Miss::NotFound);
        };
        let Some(endpoint) = find(&self.root, rest, 1, &mut ranges) else {
            return Err(Miss::NotFound);
        };
        let pick = |m: &Method| {
            endpoint
                .methods
                .iter()
                .find(|(em, _)| em == m)
                .map(|&(_, i)| i)
        };
        let index = match pick(method) {
            Some(i) => Some(i),
            None if *method == Method::Head => pick(&Method::Get),
            None => None,
        };
        match index.and_then(|i| self.values.get(i)) {
            Some(entry) => Ok(Match {
                value: &entry.value,
                params: Params {
                    path,
                    route: RouteParams {
                        names: &entry.names,
                        ranges,
                    },
                },
            }),
            None => Err(Miss::MethodNotAllowed(&endpoint.allow)),
        }
    }
}

impl<T> Router<T> {
    /// The values of every method at the endpoint `path` matches (none when no endpoint does).
    pub(crate) fn endpoint_values<'r>(&'r self, path: &str) -> impl Iterator<Item = &'r T> + 'r {
        let mut ranges = Ranges::default();
        let endpoint = path
            .strip_prefix('/')
            .and_then(|rest| find(&self.root, rest, 1, &mut ranges));
        endpoint
            .into_iter()
            .flat_map(|e| e.methods.iter())
            .filter_map(|&(_, i)| self.values.get(i).map(|e| &e.value))
    }
}

/// The length of the first segment of `rest` (up to the first `/`, or all of it), and whether
/// that segment holds a `%` escape. One scan finds both.
fn segment_len(rest: &str) -> (usize, bool) {
    let bytes = rest.as_bytes();
    match bytes.iter().position(|&b| b == b'/' || b == b'%') {
        None => (bytes.len(), false),
        Some(i) if bytes[i] == b'/' => (i, false),
        Some(i) => {
            let len = bytes[i..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(bytes.len(), |j| i + j);
            (len, true)
        }
    }
}

/// Looks up `rest` (the path after a `/`, starting at byte `offset` of the full path) below
/// `node`, by precedence and with backtracking. Parameters found are pushed onto `params`.
fn find<'n>(
    node: &'n Node,
    rest: &str,
    offset: usize,
    params: &mut Ranges,
) -> Option<&'n Endpoint> {
    let (len, escaped) = segment_len(rest);
    let segment = &rest[..len];
    // What follows the segment's `/`; `None` when the segment ends the path.
    let tail = rest.get(len + 1..);
    let next = |child: &'n Node, params: &mut Ranges| match tail {
        None => child.endpoint.as_ref(),
        Some(tail) => find(child, tail, offset + len + 1, params),
    };
    // 1. Static: compare the raw segment, or its decoded form when it holds escapes.
    let child = if escaped {
        crate::proto::parse::decode_path_segment(segment)
            .ok()
            .and_then(|key| node.static_child(&key))
    } else {
        node.static_child(segment)
    };
    if let Some(found) = child.and_then(|child| next(child, params)) {
        return Some(found);
    }
    // 2. Parameter: a whole, non-empty segment.
    if let Some(child) = &node.param {
        if len > 0 {
            let mark = params.len();
            params.push((offset, offset + len));
            if let Some(found) = next(child, params) {
                return Some(found);
            }
            params.truncate(mark);
        }
    }
    // 3. Catch-all: the rest of the path, non-empty.
    match &node.catch_all {
        Some(endpoint) if !rest.is_empty() => {
            params.push((offset, offset + rest.len()));
            Some(endpoint)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(patterns: &[(&'static str, Method)]) -> Router<&'static str> {
        let mut r = Router::new();
        for (p, m) in patterns {
            if let Err(e) = r.insert(m.clone(), p, *p) {
                panic!("{p}: {e}");
            }
        }
        r
    }

    fn hit(r: &Router<&'static str>, path: &str) -> Option<(&'static str, Vec<String>)> {
        let m = r.at(&Method::Get, path).ok()?;
        let params = m.params.iter().map(|(_, v)| v).map(String::from).collect();
        Some((*m.value, params))
    }

    #[test]
    fn static_beats_param_beats_catch_all_whatever_the_insertion_order() {
        let all = [
            ("/a/*rest", Method::Get),
            ("/a/:id", Method::Get),
            ("/a/b", Method::Get),
        ];
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]] {
            let r = router(&order.map(|i| all[i].clone()));
            assert_eq!(hit(&r, "/a/b"), Some(("/a/b", vec![])));
            assert_eq!(hit(&r, "/a/c"), Some(("/a/:id", vec!["c".into()])));
            assert_eq!(hit(&r, "/a/c/d"), Some(("/a/*rest", vec!["c/d".into()])));
        }
    }

    #[test]
    fn a_failed_static_branch_backtracks_to_the_parameter() {
        let r = router(&[
            ("/users/me/settings", Method::Get),
            ("/users/:id/posts", Method::Get),
        ]);
        assert_eq!(
            hit(&r, "/users/me/posts"),
            Some(("/users/:id/posts", vec!["me".into()]))
        );
    }

    #[test]
    fn trailing_slash_is_significant() {
        let r = router(&[("/users", Method::Get)]);
        assert!(hit(&r, "/users").is_some());
        assert!(hit(&r, "/users/").is_none());
        let r = router(&[("/users/", Method::Get)]);
        assert!(hit(&r, "/users").is_none());
        assert!(hit(&r, "/users/").is_some());
    }

    #[test]
    fn root_matches_only_root() {
        let r = router(&[("/", Method::Get)]);
        assert!(hit(&r, "/").is_some());
        assert!(hit(&r, "//").is_none());
        assert!(hit(&r, "/x").is_none());
    }

    #[test]
    fn parameters_take_whole_non_empty_segments() {
        let r = router(&[("/users/:id", Method::Get)]);
        assert!(hit(&r, "/users/").is_none());
        assert!(hit(&r, "/users/1/2").is_none());
    }

    #[test]
    fn catch_all_needs_at_least_one_character() {
        let r = router(&[("/files/*path", Method::Get)]);
        assert!(hit(&r, "/files/").is_none());
        assert_eq!(
            hit(&r, "/files/x"),
            Some(("/files/*path", vec!["x".into()]))
        );
    }

    #[test]
    fn escaped_static_segments_match_their_decoded_form() {
        let r = router(&[("/users/me", Method::Get)]);
        assert!(hit(&r, "/us%65rs/m%65").is_some());
        assert!(hit(&r, "/users%2Fme").is_none());
    }

    #[test]
    fn escapes_are_found_in_any_segment_and_parameters_stay_raw() {
        let r = router(&[("/a/:id/c", Method::Get), ("/a/b/c", Method::Get)]);
        assert_eq!(hit(&r, "/%61/b/%63"), Some(("/a/b/c", vec![])));
        assert_eq!(
            hit(&r, "/a/x%2Fy/c"),
            Some(("/a/:id/c", vec!["x%2Fy".into()]))
        );
        assert_eq!(hit(&r, "/a/%62/c"), Some(("/a/b/c", vec![])));
        assert!(hit(&r, "/a/b/%").is_none());
    }

    #[test]
    fn statics_with_equal_length_and_ends_are_told_apart() {
        // Same length, first and last bytes: the same tag, so the text decides.
        let patterns = [
            ("/abc", Method::Get),
            ("/axc", Method::Get),
            ("/a", Method::Get),
            ("/", Method::Get),
        ];
        for order in [[0, 1, 2, 3], [3, 2, 1, 0]] {
            let r = router(&order.map(|i| patterns[i].clone()));
            assert_eq!(hit(&r, "/abc").map(|(v, _)| v), Some("/abc"));
            assert_eq!(hit(&r, "/axc").map(|(v, _)| v), Some("/axc"));
            assert_eq!(hit(&r, "/a").map(|(v, _)| v), Some("/a"));
            assert_eq!(hit(&r, "/").map(|(v, _)| v), Some("/"));
            assert!(hit(&r, "/ayc").is_none());
            assert!(hit(&r, "/ab").is_none());
        }
    }

    #[test]
    fn many_static_children_are_all_found() {
        let names: Vec<String> = (0..300).map(|i| format!("s{i}")).collect();
        let mut r = Router::new();
        for (i, name) in names.iter().enumerate() {
            assert!(r.insert(Method::Get, &format!("/{name}/x"), i).is_ok());
        }
        assert!(r.insert(Method::Get, "/:other/x", usize::MAX).is_ok());
        for (i, name) in names.iter().enumerate() {
            let path = format!("/{name}/x");
            assert_eq!(r.at(&Method::Get, &path).map(|m| *m.value).ok(), Some(i));
        }
        assert_eq!(
            r.at(&Method::Get, "/s300/x").map(|m| *m.value).ok(),
            Some(usize::MAX)
        );
        assert!(r.insert(Method::Get, "/s7/x", 0).is_err());
    }

    #[test]
    fn many_parameters_spill_past_the_inline_ones() {
        let r = router(&[("/:a/:b/:c/:d/:e/:f", Method::Get)]);
        let got = hit(&r, "/1/2/3/4/5/6").map(|(_, p)| p);
        assert_eq!(
            got,
            Some(["1", "2", "3", "4", "5", "6"].map(String::from).to_vec())
        );
    }

    #[test]
    fn method_miss_reports_the_allow_list() {
        let r = router(&[
            ("/u", Method::Get),
            ("/u", Method::Delete),
            ("/u", Method::Extension("PURGE".into())),
        ]);
        assert_eq!(
            r.at(&Method::Post, "/u").err(),
            Some(Miss::MethodNotAllowed("GET, HEAD, DELETE, OPTIONS, PURGE"))
        );
        assert_eq!(r.at(&Method::Get, "/v").err(), Some(Miss::NotFound));
    }

    #[test]
    fn head_falls_back_to_get_unless_head_is_routed() {
        let r = router(&[("/g", Method::Get)]);
        assert_eq!(r.at(&Method::Head, "/g").map(|m| *m.value).ok(), Some("/g"));
        let mut r = router(&[("/g", Method::Get)]);
        assert!(r.insert(Method::Head, "/g", "head").is_ok());
        assert_eq!(
            r.at(&Method::Head, "/g").map(|m| *m.value).ok(),
            Some("head")
        );
    }

    #[test]
    fn same_shape_and_method_conflicts_whatever_the_parameter_names() {
        let mut r = router(&[("/users/:id", Method::Get)]);
        assert_eq!(
            r.insert(Method::Get, "/users/:name", "x"),
            Err(InsertError::Conflict {
                with: "/users/:id".into()
            })
        );
        assert!(r.insert(Method::Post, "/users/:name", "x").is_ok());
        assert!(r.insert(Method::Get, "/users/me", "x").is_ok());
        assert!(r.insert(Method::Get, "/users/*rest", "x").is_ok());
        assert_eq!(
            r.insert(Method::Get, "/users/*all", "x"),
            Err(InsertError::Conflict {
                with: "/users/*rest".into()
            })
        );
    }

    #[test]
    fn params_are_read_by_name_as_the_pattern_names_them() {
        let mut r = Router::new();
        assert!(r.insert(Method::Get, "/u/:id/files/*path", "get").is_ok());
        assert!(r
            .insert(Method::Delete, "/u/:user/files/*rest", "delete")
            .is_ok());
        let path = "/u/7/files/a/b";
        let m = r.at(&Method::Get, path).map_err(|_| "no match");
        let m = m.as_ref().map(|m| {
            (
                m.params.get("id"),
                m.params.get("path"),
                m.params.get("user"),
            )
        });
        assert_eq!(m, Ok((Some("7"), Some("a/b"), None)));
        // Same shape, other names: each route reads its own.
        let m = r.at(&Method::Delete, path).map_err(|_| "no match");
        let pairs = m.map(|m| m.params.iter().collect::<Vec<_>>());
        assert_eq!(pairs, Ok(vec![("user", "7"), ("rest", "a/b")]));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        let mut r: Router<()> = Router::new();
        assert_eq!(
            r.insert(Method::Get, "users", ()),
            Err(InsertError::Pattern(PatternError::MissingSlash))
        );
        assert_eq!(
            r.insert(Method::Get, "/a/*r/b", ()),
            Err(InsertError::Pattern(PatternError::CatchAllNotLast))
        );
        assert!(matches!(
            r.insert(Method::Get, "/a/:", ()),
            Err(InsertError::Pattern(PatternError::InvalidParam { .. }))
        ));
        assert!(matches!(
            r.insert(Method::Get, "/a/:1x", ()),
            Err(InsertError::Pattern(PatternError::InvalidParam { .. }))
        ));
    }
}
