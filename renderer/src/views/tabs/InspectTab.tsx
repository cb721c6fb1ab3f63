import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { ErrorLine } from '../../components/ErrorLine';
import { JsonView } from '../../components/JsonView';

export function InspectTab({ id, status }: { id: string; status: string }) {
  const [data, setData] = useState<unknown>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api().call('containers.inspect', { id }).then(setData, (e) => setError((e as Error).message));
  }, [id, status]);
  return (
    <div className="inspect">
      <div className="term-bar">
        <button onClick={() => void navigator.clipboard?.writeText(JSON.stringify(data, null, 2))} disabled={!data}>Copy JSON</button>
      </div>
      <ErrorLine text={error} />
      {data !== undefined && <JsonView value={data} />}
    </div>
  );
}
