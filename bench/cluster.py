"""What bench/watchdog.py and bench/leader.py read of a running cluster (standard library only)."""
import http.client
import json

HOST = "127.0.0.1"


def view(port, timeout=5):
    """The JSON of GET /actuator/supervisor, or None when it does not answer 200."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", "/actuator/supervisor", headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        return json.loads(body) if response.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()


def ready_pid(cluster, slot):
    """The pid of the one ready worker of a slot in a view, 0 when there is none or more than one."""
    pids = [w["pid"] for w in cluster["workers"] if w["id"] == slot and w["state"] == "ready"]
    return pids[0] if len(pids) == 1 else 0
