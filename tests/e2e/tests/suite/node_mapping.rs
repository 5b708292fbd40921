//! A backup taken on cluster A (nodes `a-0…`) restored into cluster B (nodes `b-0…`) on the
//! same S3 bucket, 1→1 and 3→3: without a node mapping the server refuses and the console says
//! why; with the mapping chosen from B's node names in the restore form, everything comes back.


use std::time::{Duration, Instant};

use crate::common::{console, open, open_advanced, start_restore, DONE, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::cluster::{Cluster, ClusterOptions};
use e2e::storage::ObjectStores;
use serde_json::json;
use thirtyfour::prelude::*;

const OBJECTS: u64 = 120;

#[tokio::test(flavor = "multi_thread")]
async fn restore_into_a_cluster_with_other_node_names() {
    let stores = ObjectStores::start();
    let site = console();
    let b = Browser::start().await;
    for nodes in [1, 3] {
        let t = Instant::now();
        let id = format!("a{nodes}-to-b{nodes}");
        // Cluster A is gone before B starts: only the bucket links them.
        {
            let a = Cluster::start(&stores, ClusterOptions { prefix: "a".into(), nodes, env: vec![] });
            let rest = a.rest();
            rest.create_collection("Article");
            rest.insert_objects("Article", OBJECTS as usize);
            rest.backup("s3", json!({"id": id}), LONG);
        }
        let cluster_b = Cluster::start(&stores, ClusterOptions { prefix: "b".into(), nodes, env: vec![] });
        let rest = cluster_b.rest();
        open(&b, &site.url, cluster_b.url()).await;
        let restore = form_xpath("Restore backup");
        b.fill(&restore, "Backend", "s3").await;
        b.fill(&restore, "Backup ID", &id).await;

        start_restore(&b, &restore).await;
        let alert = b.alert_containing(&restore, "cannot resolve hostname", Duration::from_secs(15)).await;
        assert!(alert.starts_with("HTTP 500: ") && alert.contains(" said: \"cannot resolve hostname for \"a-"), "{alert}");
        assert!(alert.contains("map node names"), "the hint: {alert}");
        let (code, _) = rest.call("GET", &format!("/backups/s3/{id}/restore"), None);
        assert_eq!(code, 404, "nothing started");

        open_advanced(&b, &restore).await;
        let note = b
            .wait_for(&format!("{restore}//input[@id='restore-node-mapping']/ancestor::div[@class='field']//p[@class='note']"), Duration::from_secs(5))
            .await
            .text()
            .await
            .unwrap();
        let offered: Vec<&str> = note.strip_prefix("Nodes of this cluster: ").expect(&note).split(", ").collect();
        assert_eq!(offered, cluster_b.node_names(), "B's node names are offered");
        let mapping: Vec<String> = offered.iter().enumerate().map(|(i, new)| format!("a-{i}={new}")).collect();
        b.fill(&restore, "Node mapping", &mapping.join(", ")).await;
        start_restore(&b, &restore).await;
        let job = format!("restore:s3:{id}");
        let status = b.wait_job_status(&job, &DONE, LONG).await;
        assert_eq!(status, "SUCCESS", "{:?}", b.job_cell(&job, "error").await);
        assert_eq!(rest.object_count("Article"), OBJECTS);
        // Every node of B holds a part of the collection again.
        let (_, shards) = rest.call("GET", "/schema/Article/shards", None);
        assert_eq!(shards.as_array().map(Vec::len), Some(nodes), "{shards}");
        let (_, info) = rest.call("GET", "/nodes?output=verbose", None);
        let holding = info["nodes"].as_array().unwrap().iter().filter(|n| n["stats"]["objectCount"].as_u64() > Some(0)).count();
        assert_eq!(holding, nodes, "{info}");
        let posted = b.driver.find(By::Css(format!("tr[data-job='{job}']"))).await.unwrap();
        posted.scroll_into_view().await.unwrap();
        eprintln!("[node mapping] {nodes}→{nodes}: {:.1} s", t.elapsed().as_secs_f64());
    }
    b.quit().await;
}
