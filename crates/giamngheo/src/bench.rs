//! `giamngheo bench load`: a load generator for a running server, so that anyone can
//! measure the pages under load with one command and no other tool.
//!
//! It signs in through the API, picks a household and a commune from the user's area,
//! then opens `--connections` keep-alive connections on which each request is one of
//! the mix (household list, household page, name search, a commune report, the
//! dashboard) in turn, for `--duration`. It prints per page the requests, p50, p99 and
//! the slowest latency, the 503 answers (shed by the server, counted apart) and other
//! errors, and the server's memory when `--server-pid` names its process.
//!
//! The HTTP client is a small HTTP/1.1 one written here on tokio's TCP stream: it needs
//! only GET with a bearer token on a loopback keep-alive connection, and a full client
//! would be a large dependency for that.

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// The server, `http://HOST:PORT` (plain HTTP, as on loopback).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// A user whose area holds the households to read (a district user of the demo).
    #[arg(long)]
    username: String,
    #[arg(long)]
    password: String,
    /// Connections open at once, each sending its next request when the last is answered.
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// How long to send requests, in seconds.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// The folded name searched for (a common family name by default).
    #[arg(long, default_value = "nguyen van")]
    search: String,
    /// The commune whose households, search and report are loaded; by default the
    /// commune of the first household of the user's list (which may be one a reform has
    /// since closed, whose report is then refused).
    #[arg(long)]
    commune: Option<String>,
    /// The report read for the commune.
    #[arg(long, default_value = "ket-qua-ra-soat")]
    report: String,
    /// Load one page alone instead of the mix: `list`, `household`, `search`, `report`,
    /// `dashboard` or `poor` (the list of the user's whole area narrowed to its poor
    /// households).
    #[arg(long)]
    only: Option<String>,
    /// The server's process id, to print its memory (VmRSS and peak VmHWM) at the end.
    #[arg(long)]
    server_pid: Option<u32>,
}

/// One answer: which page, how long, which status (0 when the connection failed).
struct Sample {
    page: usize,
    micros: u64,
    status: u16,
}

pub async fn run(args: LoadArgs) -> Result<ExitCode> {
    let host = args
        .url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("--url phải bắt đầu bằng http://"))?
        .trim_end_matches('/')
        .to_string();
    let token = login(&host, &args.username, &args.password).await?;
    let (household, commune) = pick_targets(&host, &token, args.commune.as_deref()).await?;
    let search: String = args.search.split_whitespace().collect::<Vec<_>>().join("+");
    let pages: Vec<(&'static str, String)> = vec![
        ("danh sách hộ", format!("/households?unit={commune}")),
        ("trang một hộ", format!("/households/{household}")),
        (
            "tìm theo tên",
            format!("/households?unit={commune}&q={search}"),
        ),
        (
            "báo cáo xã",
            format!("/reports/{}?unit={commune}", args.report),
        ),
        ("bảng điều khiển", "/dashboard".to_string()),
        // The whole area of the user narrowed to its poor households: the status
        // filter on the largest unit the user has.
        ("hộ nghèo", "/households?status=poor".to_string()),
    ];
    // The mix is the five pages; the poor households' list is loaded alone.
    const NAMES: [&str; 6] = ["list", "household", "search", "report", "dashboard", "poor"];
    let pages = match args.only.as_deref() {
        None => pages[..5].to_vec(),
        Some(name) => match NAMES.iter().position(|n| *n == name) {
            Some(i) => vec![pages[i].clone()],
            None => bail!("--only phải là một trong: {}", NAMES.join(", ")),
        },
    };
    let pages = Arc::new(pages);
    eprintln!(
        "Đo tải {} trong {} giây với {} kết nối (hộ {household}, xã {commune})…",
        args.url, args.duration, args.connections
    );
    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration);
    let mut workers = Vec::with_capacity(args.connections);
    for c in 0..args.connections {
        let host = host.clone();
        let token = token.clone();
        let pages = pages.clone();
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut conn: Option<(BufReader<OwnedReadHalf>, OwnedWriteHalf)> = None;
            let mut i = c;
            while Instant::now() < until {
                let page = i % pages.len();
                i += 1;
                let t = Instant::now();
                let status = match get(&mut conn, &host, &pages[page].1, &token).await {
                    Ok(s) => s,
                    Err(_) => {
                        conn = None;
                        0
                    }
                };
                samples.push(Sample {
                    page,
                    micros: t.elapsed().as_micros() as u64,
                    status,
                });
            }
            samples
        }));
    }
    let mut by_page: BTreeMap<usize, Vec<Sample>> = BTreeMap::new();
    for w in workers {
        for s in w.await? {
            by_page.entry(s.page).or_default().push(s);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{:<18} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6}",
        "trang", "yêu cầu", "mỗi giây", "p50 ms", "p99 ms", "max ms", "503", "lỗi"
    );
    let mut total = 0;
    for (page, samples) in &mut by_page {
        let mut ok: Vec<u64> = samples.iter().map(|s| s.micros).collect();
        ok.sort_unstable();
        let shed = samples.iter().filter(|s| s.status == 503).count();
        let errors = samples
            .iter()
            .filter(|s| s.status != 503 && !(200..400).contains(&s.status))
            .count();
        total += samples.len();
        println!(
            "{:<18} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>6} {:>6}",
            pages[*page].0,
            samples.len(),
            samples.len() as f64 / elapsed,
            percentile(&ok, 50.0),
            percentile(&ok, 99.0),
            ok.last().copied().unwrap_or(0) as f64 / 1000.0,
            shed,
            errors
        );
    }
    println!(
        "tổng: {total} yêu cầu trong {elapsed:.1} giây ({:.1}/giây)",
        total as f64 / elapsed
    );
    if let Some(pid) = args.server_pid {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .with_context(|| format!("không đọc được bộ nhớ của tiến trình {pid}"))?;
        for line in status.lines() {
            if line.starts_with("VmRSS") || line.starts_with("VmHWM") {
                println!("máy chủ {line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The latency at `p` percent, in milliseconds, of sorted microseconds.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

async fn login(host: &str, username: &str, password: &str) -> Result<String> {
    let body = serde_json::json!({ "username": username, "password": password }).to_string();
    let mut stream = TcpStream::connect(host)
        .await
        .with_context(|| format!("không kết nối được {host}"))?;
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    let json = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .ok_or_else(|| anyhow!("câu trả lời đăng nhập không hợp lệ"))?;
    let value: serde_json::Value = serde_json::from_str(json).with_context(|| {
        format!(
            "đăng nhập không thành công: {}",
            answer.lines().next().unwrap_or("")
        )
    })?;
    value["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("đăng nhập không thành công"))
}

/// A household of the commune (or of the user's area) and its commune, from the first
/// page of the list.
async fn pick_targets(host: &str, token: &str, commune: Option<&str>) -> Result<(i64, String)> {
    let mut conn = None;
    let path = match commune {
        Some(c) => format!("/api/v1/households?unit={c}"),
        None => "/api/v1/households".to_string(),
    };
    let (status, body) = get_body(&mut conn, host, &path, token).await?;
    if status != 200 {
        bail!("không đọc được danh sách hộ (HTTP {status})");
    }
    let value: serde_json::Value = serde_json::from_slice(&body)?;
    let first = &value["items"][0];
    match (first["id"].as_i64(), first["commune_code"].as_str()) {
        (Some(id), Some(commune)) => Ok((id, commune.to_string())),
        _ => bail!("khu vực của người dùng chưa có hộ nào"),
    }
}

async fn get(
    conn: &mut Option<(BufReader<OwnedReadHalf>, OwnedWriteHalf)>,
    host: &str,
    path: &str,
    token: &str,
) -> Result<u16> {
    get_body(conn, host, path, token).await.map(|(s, _)| s)
}

/// Sends a GET on the kept-alive connection (opening one when there is none) and reads
/// the whole answer, by its Content-Length or its chunks.
async fn get_body(
    conn: &mut Option<(BufReader<OwnedReadHalf>, OwnedWriteHalf)>,
    host: &str,
    path: &str,
    token: &str,
) -> Result<(u16, Vec<u8>)> {
    if conn.is_none() {
        let stream = TcpStream::connect(host).await?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        *conn = Some((BufReader::new(r), w));
    }
    let (reader, writer) = conn.as_mut().expect("a connection");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n");
    writer.write_all(request.as_bytes()).await?;
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        bail!("connection closed");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line"))?;
    let mut length = None;
    let mut chunked = false;
    let mut close = false;
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        reader.read_exact(&mut body).await?;
    }
    if close {
        *conn = None;
    }
    Ok((status, body))
}
