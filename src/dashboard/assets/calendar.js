// The day and week view: hands the page's data to @event-calendar's resource time grid. Times in
// the data are floating wall times of the calendar's zone, computed on the server, so they show
// as they are whatever the browser's zone. Each booking becomes a link to its page, named by its
// local start time and its contact's name.
'use strict';

(() => {
  const element = document.getElementById('calendar');
  const source = document.getElementById('calendar-data');
  if (!element || !source || typeof EventCalendar === 'undefined') return;
  const data = JSON.parse(source.textContent);

  const text = (className, value) => {
    const span = document.createElement('span');
    span.className = className;
    span.textContent = value;
    return span;
  };

  const bookingLink = ({ href, time, name, flags }) => {
    const link = document.createElement('a');
    link.href = href;
    link.className = 'booking-link';
    link.append(text('booking-time', time), ' ', text('booking-name', name));
    for (const flag of flags) link.append(' ', text('booking-flag', flag));
    return link;
  };

  EventCalendar.create(element, {
    view: data.view,
    date: data.date,
    timeZone: data.timeZone,
    resources: data.resources,
    events: data.events,
    slotMinTime: data.slotMinTime,
    slotMaxTime: data.slotMaxTime,
    headerToolbar: { start: '', center: '', end: '' },
    editable: false,
    eventStartEditable: false,
    eventDurationEditable: false,
    locale: document.documentElement.lang,
    firstDay: 1,
    allDaySlot: false,
    datesAboveResources: true,
    height: 'auto',
    slotDuration: '00:30',
    slotLabelFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    eventContent: (info) => {
      const props = info.event.extendedProps;
      return props.href ? { domNodes: [bookingLink(props)] } : info.event.title || '';
    },
  });
})();
