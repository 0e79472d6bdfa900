import { HttpRequestStats } from './http-request-stats';

describe('HttpRequestStats', () => {
  it('counts, sums and buckets each (method, route, status) and exposes them in Prometheus’s text format', () => {
    const stats = new HttpRequestStats();
    stats.started('GET', '/a');
    stats.started('GET', '/a');
    stats.finished('GET', '/a', 200, 0.005); // on a bucket's edge: counted in that bucket (le)
    stats.finished('GET', '/a', 200, 0.3);
    stats.started('POST', '/b');
    const text = stats.exposition();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('http_requests_total{method="GET",route="/a",status="200"} 2');
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/a",status="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.25",method="GET",route="/a",status="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.5",method="GET",route="/a",status="200"} 2',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/a",status="200"} 2',
    );
    expect(text).toContain('http_request_duration_seconds_sum{method="GET",route="/a",status="200"} 0.305');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/a",status="200"} 2');
    expect(text).toContain('http_requests_inprogress{method="GET",route="/a"} 0');
    expect(text).toContain('http_requests_inprogress{method="POST",route="/b"} 1');
  });
});
