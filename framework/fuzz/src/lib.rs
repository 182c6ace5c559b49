//! What the fuzz targets share: the input format (control bytes, then the payload cut into
//! pieces), the limits they pick, a checker for what the server writes, and an independent
//! reading of the request-target grammar for the differential target.
//!
//! # Input format
//!
//! Every target reads its input as `[control bytes] [payload]`. The control bytes come first so
//! that a mutation of the payload does not move them:
//!
//! - byte 0 picks the limits ([`limits`]);
//! - byte 1 is a free knob (the chunked target's output buffer size);
//! - byte 2 is the number of cuts minus one (`1 + b % 8` cuts, so always two or more pieces);
//! - then one byte per cut: the length of the piece before it (0 is an empty piece);
//! - the rest is the payload.
//!
//! [`encode`] builds such an input from a payload and cuts; the seed builder uses it.

use framework::proto::parse::ParseLimits;

/// Most cuts an input can ask for.
pub const MAX_CUTS: usize = 8;

/// An input taken apart.
#[derive(Debug)]
pub struct Input<'a> {
    /// Byte 0: which limits.
    pub limits: u8,
    /// Byte 1: a knob of the target's own.
    pub knob: u8,
    /// Offsets into `payload`, non-decreasing, each at most `payload.len()`.
    pub cuts: Vec<usize>,
    /// What is fed to the code under test.
    pub payload: &'a [u8],
}

impl<'a> Input<'a> {
    /// Reads the control bytes; missing ones count as zero.
    #[must_use]
    pub fn parse(data: &'a [u8]) -> Self {
        let byte = |i: usize| data.get(i).copied().unwrap_or(0);
        let count = 1 + usize::from(byte(2)) % MAX_CUTS;
        let control = (3 + count).min(data.len());
        let payload = &data[control..];
        let mut cuts = Vec::with_capacity(count);
        let mut at = 0usize;
        for i in 0..count {
            at = (at + usize::from(byte(3 + i))).min(payload.len());
            cuts.push(at);
        }
        Self {
            limits: byte(0),
            knob: byte(1),
            cuts,
            payload,
        }
    }

    /// The payload cut into pieces at [`Input::cuts`] (empty pieces included).
    #[must_use]
    pub fn pieces(&self) -> Vec<&'a [u8]> {
        let mut pieces = Vec::with_capacity(self.cuts.len() + 1);
        let mut from = 0;
        for &cut in &self.cuts {
            pieces.push(&self.payload[from..cut]);
            from = cut;
        }
        pieces.push(&self.payload[from..]);
        pieces
    }

    /// The prefixes of the payload that a reader sees, piece after piece, ending with the whole.
    #[must_use]
    pub fn prefixes(&self) -> Vec<&'a [u8]> {
        let mut ends: Vec<usize> = self.cuts.clone();
        ends.push(self.payload.len());
        ends.into_iter().map(|end| &self.payload[..end]).collect()
    }
}

/// An input with these control bytes, cuts (piece lengths, each at most 255) and payload.
#[must_use]
pub fn encode(limits: u8, knob: u8, piece_lengths: &[u8], payload: &[u8]) -> Vec<u8> {
    let lengths = if piece_lengths.is_empty() {
        &[0][..]
    } else {
        &piece_lengths[..piece_lengths.len().min(MAX_CUTS)]
    };
    let count = u8::try_from(lengths.len() - 1).unwrap_or(0);
    let mut out = vec![limits, knob, count];
    out.extend_from_slice(lengths);
    out.extend_from_slice(payload);
    out
}

/// The parser limits that control byte `b` picks: small ones, so that every limit is reached by
/// inputs of a few hundred bytes, and the defaults.
#[must_use]
pub fn limits(b: u8) -> ParseLimits {
    let defaults = ParseLimits::default();
    if b & 0x80 != 0 {
        return defaults;
    }
    let max_head = [48, 64, 128, 256][usize::from(b & 3)];
    let max_target = [8, 16, 32, 64][usize::from((b >> 2) & 3)];
    let max_fields = [1, 2, 4, 16][usize::from((b >> 4) & 3)];
    let max_body = [0, 5, 16, 100][usize::from((b >> 6) & 1) * 2 + usize::from(b & 1)];
    defaults
        .with_max_head(max_head)
        .with_max_target(max_target)
        .with_max_fields(max_fields)
        .with_max_body(max_body)
}

pub mod response;
pub mod target;
