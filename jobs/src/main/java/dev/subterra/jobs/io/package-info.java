/** Run-directory output through the Hadoop file system: local paths, hdfs:// and s3a://, committed atomically. */
package dev.subterra.jobs.io;
