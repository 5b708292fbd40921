//! What a control or a notice means, as a type (like thaw's `ButtonAppearance`): components
//! name the variant, and its CSS class is spelled here only.

/// A button, or a link drawn as one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Secondary,
    /// Beside a line of text.
    SecondarySmall,
    /// Confirms something that cannot be undone.
    Danger,
    Link,
    /// The page's main action, as a link.
    PrimaryLink,
}

impl Action {
    pub const fn class(self) -> &'static str {
        match self {
            Action::Secondary => "secondary",
            Action::SecondarySmall => "secondary small",
            Action::Danger => "danger",
            Action::Link => "button-link",
            Action::PrimaryLink => "button-link primary",
        }
    }
}

/// A boxed notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Something failed.
    Error,
    /// Read this before going on.
    Warning,
    /// The server's own words about a job.
    ServerText,
}

impl Notice {
    pub const fn class(self) -> &'static str {
        match self {
            Notice::Error => "alert",
            Notice::Warning => "alert warning",
            Notice::ServerText => "alert detail-error",
        }
    }
}
