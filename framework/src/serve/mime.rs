//! `Content-Type` by file extension: the types the web commonly serves, `; charset=utf-8` on the
//! text ones (we assume text files are UTF-8, as the web's tooling writes them).

use std::path::Path;

/// Extension (lowercase) → media type, for everything that is not a `text/*` type.
const TYPES: &[(&str, &str)] = &[
    // Scripts and data.
    ("json", "application/json"),
    ("map", "application/json"),
    ("jsonld", "application/ld+json"),
    ("webmanifest", "application/manifest+json"),
    ("wasm", "application/wasm"),
    ("xml", "application/xml"),
    ("xhtml", "application/xhtml+xml"),
    ("rss", "application/rss+xml"),
    ("atom", "application/atom+xml"),
    ("pdf", "application/pdf"),
    ("rtf", "application/rtf"),
    ("epub", "application/epub+zip"),
    // Archives.
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("tgz", "application/gzip"),
    ("br", "application/x-brotli"),
    ("zst", "application/zstd"),
    ("tar", "application/x-tar"),
    ("7z", "application/x-7z-compressed"),
    ("bz2", "application/x-bzip2"),
    ("xz", "application/x-xz"),
    // Images.
    ("png", "image/png"),
    ("apng", "image/apng"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("svg", "image/svg+xml"),
    ("ico", "image/x-icon"),
    ("bmp", "image/bmp"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("jxl", "image/jxl"),
    // Fonts.
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
    ("eot", "application/vnd.ms-fontobject"),
    // Audio and video.
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("ogg", "audio/ogg"),
    ("oga", "audio/ogg"),
    ("opus", "audio/opus"),
    ("flac", "audio/flac"),
    ("m4a", "audio/mp4"),
    ("aac", "audio/aac"),
    ("mp4", "video/mp4"),
    ("m4v", "video/mp4"),
    ("webm", "video/webm"),
    ("ogv", "video/ogg"),
    ("mov", "video/quicktime"),
    ("mkv", "video/x-matroska"),
];

/// Extension (lowercase) → `text/*` type, sent with `; charset=utf-8`.
const TEXT_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    // RFC 9239: JavaScript is `text/javascript`.
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("cjs", "text/javascript; charset=utf-8"),
    ("txt", "text/plain; charset=utf-8"),
    ("text", "text/plain; charset=utf-8"),
    ("log", "text/plain; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("markdown", "text/markdown; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("tsv", "text/tab-separated-values; charset=utf-8"),
    ("ics", "text/calendar; charset=utf-8"),
    ("vtt", "text/vtt; charset=utf-8"),
    ("yaml", "text/yaml; charset=utf-8"),
    ("yml", "text/yaml; charset=utf-8"),
];

/// What an unknown extension is sent as: bytes, for the browser to download rather than guess.
pub(crate) const DEFAULT_TYPE: &str = "application/octet-stream";

/// The `Content-Type` of a file, from its extension (case-insensitive).
pub(crate) fn content_type(path: &Path) -> &'static str {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return DEFAULT_TYPE;
    };
    TEXT_TYPES
        .iter()
        .chain(TYPES)
        .find(|(known, _)| known.eq_ignore_ascii_case(ext))
        .map_or(DEFAULT_TYPE, |&(_, media)| media)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_types_by_extension() {
        for (name, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("INDEX.HTM", "text/html; charset=utf-8"),
            ("app.css", "text/css; charset=utf-8"),
            ("app.min.js", "text/javascript; charset=utf-8"),
            ("mod.mjs", "text/javascript; charset=utf-8"),
            ("notes.txt", "text/plain; charset=utf-8"),
            ("data.json", "application/json"),
            ("app.js.map", "application/json"),
            ("logo.svg", "image/svg+xml"),
            ("photo.JPG", "image/jpeg"),
            ("icon.png", "image/png"),
            ("favicon.ico", "image/x-icon"),
            ("font.woff2", "font/woff2"),
            ("app.wasm", "application/wasm"),
            ("doc.pdf", "application/pdf"),
            ("clip.mp4", "video/mp4"),
            ("song.mp3", "audio/mpeg"),
            ("site.webmanifest", "application/manifest+json"),
            ("archive.tar.gz", "application/gzip"),
            ("unknown.xyz", DEFAULT_TYPE),
            ("Makefile", DEFAULT_TYPE),
            (".env", DEFAULT_TYPE),
        ] {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn every_text_type_has_a_charset_and_no_other_does() {
        for (ext, media) in TEXT_TYPES {
            assert!(
                media.starts_with("text/") && media.ends_with("; charset=utf-8"),
                "{ext}"
            );
        }
        for (ext, media) in TYPES {
            assert!(
                !media.starts_with("text/") && !media.contains("charset"),
                "{ext}"
            );
        }
    }
}
