"""The catalogue's part for ``make cluster`` (deploy/cluster.py): what it says on the console.

Merged into ``kpi.i18n.CATALOGUE`` like the supervision part. Every entry: (zh, en) with the same placeholders.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cluster.postgres_started": ("PostgreSQL 已启动：{url}（数据目录 {folder}）",
                                 "PostgreSQL started: {url} (data folder {folder})"),
    "cluster.postgres_given": ("使用已有的 PostgreSQL：{url}", "Using the PostgreSQL server given: {url}"),
    "cluster.app_started": ("应用进程 {index} 已启动：http://{address}:{port}（进程号 {pid}）",
                            "app process {index} started: http://{address}:{port} (pid {pid})"),
    "cluster.front_started": ("看板地址：http://{address}:{port}（nginx 转发到 {count} 个应用进程；按 Ctrl-C 全部停止）",
                              "Dashboard: http://{address}:{port} (nginx in front of {count} app processes; "
                              "Ctrl-C stops them all)"),
    "cluster.apps_only": ("{count} 个应用进程已启动；请在前端机器上用 --proxy-only --upstream 指向它们。按 Ctrl-C 全部停止。",
                          "{count} app processes started; point the front machine at them with --proxy-only "
                          "--upstream. Ctrl-C stops them all."),
    "cluster.app_ended": ("应用进程 {index}（端口 {port}）已退出（代码 {code}）；其余进程继续服务。",
                          "app process {index} (port {port}) ended (code {code}); the others keep serving."),
    "cluster.app_restarting": ("正在重新启动应用进程 {index}（端口 {port}）……",
                               "starting app process {index} again (port {port})..."),
    "cluster.app_left_stopped": ("应用进程 {index} 已连续 {count} 次在启动后 {seconds} 秒内退出，不再重启；请查看上面的输出。",
                                 "app process {index} ended {count} times in a row within {seconds} s of its start: "
                                 "it is left stopped; see its output above."),
    "cluster.front_ended": ("nginx 已退出（代码 {code}），正在停止全部进程。日志：{log}",
                            "nginx ended (code {code}); stopping everything. Its log: {log}"),
    "cluster.stopping": ("正在停止全部进程……", "Stopping everything..."),
    "cluster.stopped": ("已全部停止。", "All stopped."),
    "cluster.no_nginx": ("找不到 nginx：请安装 Debian 的 nginx（apt-get install nginx），或设置 KPI_NGINX。",
                         "nginx not found: install Debian's nginx (apt-get install nginx), or set KPI_NGINX."),
    "cluster.no_upstream": ("--proxy-only 需要 --upstream 主机:端口,主机:端口", "--proxy-only needs --upstream HOST:PORT,HOST:PORT"),
    "cluster.not_server": ("各台机器上的应用进程需要同一个 PostgreSQL 存储：请把 KPI_DB 设为 postgresql:// 地址（现为 {db}）。",
                           "App processes on several machines need one PostgreSQL store: set KPI_DB to a "
                           "postgresql:// URL (it is {db})."),
    "cluster.failed": ("无法启动：{error}", "Could not start: {error}"),
}
