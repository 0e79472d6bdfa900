import { useTranslation } from 'react-i18next';
import { useConsole } from '../../app-context';

/** docs/telegram-emulator.md in short: what a newcomer types to try every flow. */
const PHONES = [
  { phone: '+9996621234', rule: 'plain' },
  { phone: '+9996622345', rule: 'twoFactor' },
  { phone: '+9996614321', rule: 'sms' },
  { phone: '+9996615000', rule: 'email' },
  { phone: '+9996618000', rule: 'flood' },
  { phone: '+9996617000', rule: 'numberFlood' },
  { phone: '+9996617500', rule: 'banned' },
  { phone: '+9996619000', rule: 'unoccupied' },
  { phone: '+9996613000', rule: 'manyDialogs' },
] as const;

export function EmulatorScreen() {
  const { t } = useTranslation();
  const { dev } = useConsole();
  const reach =
    dev?.emulator_transport === 'tcp'
      ? t('emulator.reachTcp', { address: dev.emulator_address ?? '?' })
      : dev?.emulator_transport === 'in-process'
        ? t('emulator.reachInProcess')
        : t('emulator.reachUnknown');
  return (
    <section aria-labelledby="emulator-title">
      <h1 id="emulator-title">{t('emulator.title')}</h1>
      <section className="card">
        <p data-testid="emulator-reach">{reach}</p>
        <p>{t('emulator.intro')}</p>
        <ul>
          <li>{t('emulator.phoneRule')}</li>
          <li>{t('emulator.codeRule')}</li>
          <li>
            {t('emulator.passwordRule')} <code>emulator-2fa</code>
          </li>
          <li>
            {t('emulator.botRule')} <code>9997720001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1</code>
          </li>
          <li>{t('emulator.wrongCodeRule')}</li>
        </ul>
        <div className="table-wrap" tabIndex={0}>
          <table>
            <caption>{t('emulator.phones')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('accounts.phone')}</th>
                <th scope="col">{t('accounts.code')}</th>
                <th scope="col">{t('emulator.behaviour')}</th>
              </tr>
            </thead>
            <tbody>
              {PHONES.map(({ phone, rule }) => (
                <tr key={phone}>
                  <td>
                    <code>{phone}</code>
                  </td>
                  <td>
                    <code>{phone[6].repeat(5)}</code>
                  </td>
                  <td>{t(`emulator.rules.${rule}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>{t('emulator.controls')}</p>
      </section>
    </section>
  );
}
