"""Subterra's nightly compilation as an Airflow DAG: one SparkSubmitOperator task that runs `subterra nightly`.

The task runs the application jar's SubterraCli with the `nightly` command in client mode, so that the task's result
is the nightly's exit code (see cluster-config/nightly.md):

- 0: a new model was promoted, or nothing changed (`--unchanged-exit-code 0`, so an idle night is a success);
- 4: a candidate was compiled but the gate refused it; the promoted model stays (the task fails, for someone to
  look at the registry's history.jsonl);
- 1: a compilation failed; 2: the configuration or a workflow is invalid.

The task does not retry: a rerun after a refusal compiles nothing ("the same inputs were refused") and would turn the
failed task green. Needs apache-airflow-providers-apache-spark and an Airflow connection `spark_subterra` whose host is
the Spark master (k8s://..., yarn, or spark://...). Paths are those of packaging's image (/opt/subterra).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

SUBTERRA_HOME = "/opt/subterra"
APPLICATION_JAR = f"{SUBTERRA_HOME}/subterra-spark.jar"
NIGHTLY_CONFIG = "/etc/subterra/nightly.yaml"

with DAG(
    dag_id="subterra_nightly",
    description="Recompile changed workflows into students; promote only what passes the gate.",
    schedule="15 2 * * *",
    start_date=datetime(2026, 12, 1),
    catchup=False,
    # Two nightlies never run at once (the registry's lock would fail the second anyway).
    max_active_runs=1,
    default_args={"owner": "subterra", "retries": 0},
    tags=["subterra"],
) as dag:
    SparkSubmitOperator(
        task_id="nightly",
        conn_id="spark_subterra",
        application=APPLICATION_JAR,
        java_class="dev.subterra.jobs.cli.SubterraCli",
        name="subterra-nightly",
        deploy_mode="client",
        application_args=[
            "nightly",
            "--config",
            NIGHTLY_CONFIG,
            "--unchanged-exit-code",
            "0",
        ],
        # The Spark connection's master decides the cluster; these are the nightly's own properties (the cluster's
        # defaults come from its spark-defaults.conf, e.g. cluster-config/spark-defaults.conf in SPARK_CONF_DIR).
        conf={
            "spark.executor.instances": "2",
            "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile={SUBTERRA_HOME}/cluster-config/log4j2.properties",
        },
        driver_memory="6g",
        execution_timeout=timedelta(hours=12),
        verbose=False,
    )
