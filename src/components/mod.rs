//! What the admin sees, one component per file.

mod advanced_options;
mod collection_picker;
mod connection_form;
mod coverage_view;
mod create_backup_form;
mod error_alert;
mod job_row;
mod job_table;
mod restore_backup_form;
mod selection_fields;
mod submit;
mod text_field;

pub use advanced_options::{CreateAdvanced, CreateOptionInputs, RestoreAdvanced, RestoreOptionInputs};
pub use collection_picker::CollectionPicker;
pub use connection_form::ConnectionForm;
pub use coverage_view::CoverageView;
pub use create_backup_form::CreateBackupForm;
pub use error_alert::ErrorAlert;
pub use job_row::JobRow;
pub use job_table::JobTable;
pub use restore_backup_form::RestoreBackupForm;
pub use selection_fields::{SelectionFields, SelectionInputs};
pub use text_field::TextField;
