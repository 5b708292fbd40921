use backup_core::api::distinct;
use backup_core::validate::parse_collection_list;
use leptos::prelude::*;

/// Toggle buttons, one per collection, that add a name to (or remove it from) a typed list.
#[component]
pub fn CollectionPicker(
    /// The list as typed, comma/space-separated; edited in place.
    text: RwSignal<String>,
    /// The collections to offer.
    #[prop(into)]
    collections: Signal<Vec<String>>,
    /// Accessible name of the group (e.g. "Pick collections to include").
    label: &'static str,
) -> impl IntoView {
    let toggle = move |name: String| {
        text.update(|t| {
            let mut names = parse_collection_list(t);
            match names.iter().position(|n| *n == name) {
                Some(i) => {
                    names.remove(i);
                }
                None => names.push(name),
            }
            *t = names.join(", ");
        })
    };
    view! {
        <Show when=move || collections.with(|c| !c.is_empty())>
            <div class="picker" role="group" aria-label=label>
                <For each=move || distinct(collections.get()) key=|c| c.clone() let:name>
                    {
                        let n = name.clone();
                        let pressed = move || text.with(|t| parse_collection_list(t).contains(&n)).to_string();
                        let n2 = name.clone();
                        view! {
                            <button type="button" class="chip" aria-pressed=pressed on:click=move |_| toggle(n2.clone())>
                                {name}
                            </button>
                        }
                    }
                </For>
            </div>
        </Show>
    }
}
