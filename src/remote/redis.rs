//! The Redis tier: one key per entry, `zcc/v1/<kind>/<hex>` = the entry file's bytes, on a
//! single server (TCP or a Unix socket) or a Redis Cluster.
//!
//! Connections are opened on first use and kept for the next operation (of this call, or of
//! the next call of an embedding build tool); a connection that failed is dropped.
//!
//! The timeout bounds each operation as a whole (connect, send, the complete reply): the
//! client library bounds only each socket read, so a server that dribbles a byte at a time
//! would hold a compile for as long as it likes. Each operation runs on a worker thread the
//! call waits for at most the timeout; a worker still waiting then is left to finish on its
//! own (its connection is not reused), and the call goes on without the tier. A value is
//! read with `GETRANGE` up to [`MAX_VALUE`] bytes, so a huge value stored by someone else
//! cannot take the memory.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use redis::cluster::{ClusterClient, ClusterConnection};
use redis::{ConnectionLike, IntoConnectionInfo, RedisError};

use super::{Backend, Failure, MAX_VALUE, RemoteCredentials, Scheme, entry_name};
use crate::store::{Key, Kind};

/// Check a Redis URL the way the backend will read it.
pub(super) fn check(url: &str, scheme: Scheme) -> Result<(), String> {
    let nodes = node_urls(url, scheme)?;
    for node in nodes {
        node.as_str()
            .into_connection_info()
            .map_err(|e| format!("not a usable Redis URL: {}", e.detail().unwrap_or("")))?;
    }
    Ok(())
}

/// The URLs of the servers to connect to: the URL itself, or for `redis+cluster://` one
/// `redis://` URL per listed node (each with the user info and path of the whole).
fn node_urls(url: &str, scheme: Scheme) -> Result<Vec<String>, String> {
    if scheme != Scheme::RedisCluster {
        if scheme == Scheme::Redis {
            let rest = url.split_once("://").map_or("", |(_, r)| r);
            let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if host.is_empty() {
                return Err("no host".into());
            }
        }
        return Ok(vec![url.to_string()]);
    }
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    if hosts.is_empty() {
        return Err("no cluster nodes (redis+cluster://host:port[,host:port…])".into());
    }
    hosts
        .split(',')
        .map(|host| {
            if host.is_empty() {
                Err("an empty cluster node in the list".to_string())
            } else {
                Ok(format!("redis://{userinfo}{host}{tail}"))
            }
        })
        .collect()
}

enum Target {
    Single(redis::Client),
    Cluster(ClusterClient),
}

enum Connection {
    Single(redis::Connection),
    Cluster(Box<ClusterConnection>),
}

impl Connection {
    fn as_like(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Connection::Single(c) => c,
            Connection::Cluster(c) => c.as_mut(),
        }
    }
}

pub(super) struct RedisBackend {
    /// Shared with the worker threads that run the operations.
    shared: Arc<Shared>,
}

struct Shared {
    /// The client, or why it could not be made (reported by every operation).
    target: Result<Target, String>,
    timeout: Duration,
    /// Open connections not in use.
    idle: Mutex<Vec<Connection>>,
}

impl RedisBackend {
    pub(super) fn new(
        url: &str,
        scheme: Scheme,
        timeout: Duration,
        credentials: &RemoteCredentials,
    ) -> RedisBackend {
        RedisBackend {
            shared: Arc::new(Shared {
                target: target(url, scheme, timeout, credentials),
                timeout,
                idle: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Run one command within the timeout, all of it (see the module doc).
    fn run<T: redis::FromRedisValue + Send + 'static>(
        &self,
        what: &'static str,
        command: redis::Cmd,
    ) -> Result<T, Failure> {
        let shared = Arc::clone(&self.shared);
        let (done, result) = mpsc::channel();
        std::thread::Builder::new()
            .name("zcc-redis".into())
            .spawn(move || {
                let _ = done.send(shared.run(what, &command));
            })
            .map_err(|e| Failure {
                timeout: false,
                message: format!("{what}: cannot start a thread: {e}"),
            })?;
        result
            .recv_timeout(self.shared.timeout)
            .unwrap_or_else(|_| {
                Err(Failure {
                    timeout: true,
                    message: format!(
                        "{what}: no complete reply within {} ms",
                        self.shared.timeout.as_millis()
                    ),
                })
            })
    }
}

impl Shared {
    fn connect(&self) -> Result<Connection, Failure> {
        let target = self.target.as_ref().map_err(|e| Failure {
            timeout: false,
            message: e.clone(),
        })?;
        match target {
            Target::Single(client) => {
                let conn = client
                    .get_connection_with_timeout(self.timeout)
                    .map_err(|e| failure("connect", e))?;
                conn.set_read_timeout(Some(self.timeout))
                    .and_then(|()| conn.set_write_timeout(Some(self.timeout)))
                    .map_err(|e| failure("connect", e))?;
                Ok(Connection::Single(conn))
            }
            Target::Cluster(client) => {
                let conn = client.get_connection().map_err(|e| failure("connect", e))?;
                conn.set_read_timeout(Some(self.timeout))
                    .and_then(|()| conn.set_write_timeout(Some(self.timeout)))
                    .map_err(|e| failure("connect", e))?;
                Ok(Connection::Cluster(Box::new(conn)))
            }
        }
    }

    /// Run one command on an idle connection (or a new one); keep the connection if it worked.
    fn run<T: redis::FromRedisValue>(
        &self,
        what: &str,
        command: &redis::Cmd,
    ) -> Result<T, Failure> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let value = command
            .query::<T>(conn.as_like())
            .map_err(|e| failure(what, e))?;
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        Ok(value)
    }
}

fn target(
    url: &str,
    scheme: Scheme,
    timeout: Duration,
    credentials: &RemoteCredentials,
) -> Result<Target, String> {
    let nodes = node_urls(url, scheme)?;
    let mut infos = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let mut info = node
            .as_str()
            .into_connection_info()
            .map_err(|e| format!("not a usable Redis URL: {}", e.detail().unwrap_or("")))?;
        // RemoteCredentials from the environment, unless the URL has its own.
        let settings = info.redis_settings().clone();
        let settings = match (&credentials.user, settings.username()) {
            (Some(user), None) => settings.set_username(user),
            _ => settings,
        };
        let settings = match (&credentials.password, settings.password()) {
            (Some(password), None) => settings.set_password(password),
            _ => settings,
        };
        info = info.set_redis_settings(settings);
        infos.push(info);
    }
    if scheme == Scheme::RedisCluster {
        ClusterClient::builder(infos)
            .connection_timeout(timeout)
            .response_timeout(timeout)
            .retries(1)
            .build()
            .map(Target::Cluster)
            .map_err(|e| format!("Redis Cluster: {e}"))
    } else {
        let info = infos.pop().ok_or("no Redis server")?;
        redis::Client::open(info)
            .map(Target::Single)
            .map_err(|e| format!("Redis: {e}"))
    }
}

fn failure(what: &str, e: RedisError) -> Failure {
    let timeout = e.is_timeout();
    let mut message = format!("{what}: {e}");
    if message.to_ascii_lowercase().contains("moved") {
        message.push_str(" (the server is part of a Redis Cluster: use redis+cluster://)");
    }
    Failure { timeout, message }
}

impl Backend for RedisBackend {
    fn get(&self, kind: Kind, key: &Key) -> Result<Option<Vec<u8>>, Failure> {
        let name = format!("zcc/{}", entry_name(kind, key));
        // At most MAX_VALUE bytes (a longer value arrives cut short and fails its checksum).
        // A missing key reads as empty, which no entry is (the header alone is 48 bytes).
        let mut command = redis::cmd("GETRANGE");
        command.arg(&name).arg(0).arg(MAX_VALUE - 1);
        let value: Vec<u8> = self.run("GET", command)?;
        Ok((!value.is_empty()).then_some(value))
    }

    fn put(&self, kind: Kind, key: &Key, entry: &[u8]) -> Result<(), Failure> {
        let name = format!("zcc/{}", entry_name(kind, key));
        let mut command = redis::cmd("SET");
        command.arg(&name).arg(entry);
        self.run("SET", command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_nodes() {
        assert_eq!(
            node_urls("redis+cluster://:pw@a:7000,b:7001/0", Scheme::RedisCluster).unwrap(),
            vec!["redis://:pw@a:7000/0", "redis://:pw@b:7001/0"]
        );
        assert_eq!(
            node_urls("redis+cluster://a:7000", Scheme::RedisCluster).unwrap(),
            vec!["redis://a:7000"]
        );
        assert!(node_urls("redis+cluster://a:1,", Scheme::RedisCluster).is_err());
        assert!(node_urls("redis://:pw@/0", Scheme::Redis).is_err());
        assert_eq!(
            node_urls("redis://h:1/2", Scheme::Redis).unwrap(),
            vec!["redis://h:1/2"]
        );
    }

    #[test]
    fn a_refused_connection_is_an_error_not_a_timeout() {
        // Port 1 on loopback: nothing listens there.
        let backend = RedisBackend::new(
            "redis://127.0.0.1:1",
            Scheme::Redis,
            Duration::from_millis(200),
            &RemoteCredentials::default(),
        );
        let err = backend.get(Kind::Result, &[0; 32]).unwrap_err();
        assert!(!err.timeout, "{}", err.message);
        assert!(err.message.starts_with("connect: "), "{}", err.message);
    }
}
