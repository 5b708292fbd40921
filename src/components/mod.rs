//! What the admin sees, one component per file.

mod advanced_options;
mod cancel_control;
mod collection_picker;
mod copy_block;
mod coverage_view;
mod create_backup_form;
mod error_alert;
mod job_detail;
mod job_row;
mod job_table;
pub mod policies;
mod preferences;
mod restore_backup_form;
mod restore_link;
mod selection_fields;
mod submit;
mod summary_line;
mod text_field;
pub mod variant;

pub use cancel_control::CancelControl;
pub use advanced_options::{CreateAdvanced, CreateOptionInputs, RestoreAdvanced, RestoreOptionInputs};
pub use collection_picker::CollectionPicker;
pub use copy_block::CopyBlock;
pub use coverage_view::CoverageView;
pub use create_backup_form::CreateBackupForm;
pub use error_alert::ErrorAlert;
pub use job_detail::{JobDetail, DETAIL_HEADING};
pub use job_row::JobRow;
pub use job_table::JobTable;
pub(crate) use job_table::data_url;
pub use preferences::{apply_saved_preferences, Preferences};
pub use restore_backup_form::RestoreBackupForm;
pub use restore_link::RestoreLink;
pub use selection_fields::{SelectionFields, SelectionInputs};
pub use summary_line::SummaryLine;
pub use text_field::TextField;
