//! Time zones from the browser's own `Intl` rules, so no zone database is compiled into the
//! console: a zone's offset at an instant is what `Intl.DateTimeFormat` writes for it
//! (`timeZoneName: "longOffset"`, `GMT+05:30`), and an unknown zone is one it refuses.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use backup_core::policy::{Zone, ZoneRules};
use backup_core::policy_view::gmt_offset;
use js_sys::{Array, Function, Intl, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `new Intl.DateTimeFormat("en", {timeZone, timeZoneName: "longOffset"})`, or `None` when the
/// browser does not know the zone (the constructor throws a RangeError).
fn formatter(zone: &str) -> Option<Intl::DateTimeFormat> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into()).ok()?.dyn_into().ok()?;
    let options = Object::new();
    Reflect::set(&options, &"timeZone".into(), &zone.into()).ok()?;
    Reflect::set(&options, &"timeZoneName".into(), &"longOffset".into()).ok()?;
    let args = Array::of2(&"en".into(), &options);
    Reflect::construct(&ctor, &args).ok()?.dyn_into().ok()
}

/// Whether the browser knows the time zone `name` (an IANA name, or `UTC`).
pub fn zone_known(name: &str) -> bool {
    !name.trim().is_empty() && zone(name).is_some()
}

/// This browser's own zone, the editor's default.
pub fn browser_zone() -> String {
    let fmt = Intl::DateTimeFormat::new(&Array::new(), &Object::new());
    Reflect::get(&fmt.resolved_options(), &"timeZone".into()).ok().and_then(|z| z.as_string()).unwrap_or_else(|| "UTC".into())
}

/// Offsets are the same throughout a quarter hour unless a zone changes in it (transitions
/// are months apart), so one probe at each end answers for the whole quarter.
const QUARTER: i64 = 900;

/// A zone's rules as this browser knows them. A schedule's next runs ask for many instants
/// close together; offsets are cached by quarter hour (see [`QUARTER`]).
#[derive(Clone, Debug)]
pub struct IntlRules {
    /// `None` for UTC, which needs no formatter.
    fmt: Option<Intl::DateTimeFormat>,
    /// Quarter start → its offset, or `None` for a quarter in which the offset changes.
    cache: Rc<RefCell<HashMap<i64, Option<Option<i32>>>>>,
}

impl IntlRules {
    fn exact(fmt: &Intl::DateTimeFormat, utc: i64) -> Option<i32> {
        let date = js_sys::Date::new(&JsValue::from_f64(utc as f64 * 1000.0));
        let offset = fmt.format_to_parts(&date).iter().find_map(|part| {
            let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
            (kind == "timeZoneName").then(|| Reflect::get(&part, &"value".into()).ok()?.as_string()).flatten()
        });
        offset.as_deref().and_then(gmt_offset)
    }
}

impl ZoneRules for IntlRules {
    fn offset_at(&self, utc: i64) -> Option<i32> {
        let Some(fmt) = &self.fmt else { return Some(0) };
        let start = utc.div_euclid(QUARTER) * QUARTER;
        let cached = self.cache.borrow().get(&start).copied();
        let whole = match cached {
            Some(whole) => whole,
            None => {
                let (first, last) = (IntlRules::exact(fmt, start), IntlRules::exact(fmt, start + QUARTER - 1));
                let whole = (first == last).then_some(first);
                self.cache.borrow_mut().insert(start, whole);
                whole
            }
        };
        whole.unwrap_or_else(|| IntlRules::exact(fmt, utc))
    }
}

/// Zones kept across recounts: a formatter is slow to make, and the offsets already read stay
/// true. Dropped whole past this many quarters read, which a console reaches only after days.
const KEPT_QUARTERS: usize = 50_000;

thread_local! {
    static ZONES: RefCell<HashMap<String, IntlRules>> = RefCell::default();
}

/// The chrono zone of `name` over the browser's rules, or `None` when the browser does not
/// know it.
pub fn zone(name: &str) -> Option<Zone<IntlRules>> {
    if let Some(rules) = ZONES.with(|z| z.borrow().get(name).cloned()) {
        if rules.cache.borrow().len() < KEPT_QUARTERS {
            return Some(Zone(rules));
        }
    }
    let fmt = if name == "UTC" { None } else { Some(formatter(name)?) };
    let rules = IntlRules { fmt, cache: Rc::default() };
    ZONES.with(|z| z.borrow_mut().insert(name.to_string(), rules.clone()));
    Some(Zone(rules))
}
